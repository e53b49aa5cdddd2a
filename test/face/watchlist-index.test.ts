// The watch-list index against the real PostgreSQL: changes applied person by person give the same answers as a
// full reload, twice-delivered changes change nothing, and a change without a person id reloads everything.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import { WatchlistIndex } from '../../analytics/face/watchlist-index.ts';
import { DIM } from '../../analytics/face/index/vector-index.ts';

let t: TestDb;
let repo: WatchlistsRepository;
beforeAll(async () => {
  t = await freshPgDb();
  repo = new WatchlistsRepository(t.db);
});
afterAll(async () => t?.close());

let seed = 1;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const face = () => Array.from({ length: DIM }, rnd);
/** A second photo of the same person: close to the first. */
const near = (v: number[]) => v.map((x) => x + rnd() * 0.02);

async function addPerson(watchlistId: string, name: string, descriptors: number[][]): Promise<string> {
  const id = randomUUID();
  await repo.addPerson(
    { id, watchlistId, name },
    descriptors.map((descriptor) => ({ descriptor, faceWidth: 120, sharpness: 50 })),
  );
  return id;
}

/** Names of the persons the index finds for each probe, as a full reload of the same database would find them. */
async function answers(index: WatchlistIndex, probes: number[][]): Promise<{ got: string[][]; fresh: string[][] }> {
  const reloaded = new WatchlistIndex(repo, 0.3);
  await reloaded.rebuild();
  const names = (ix: WatchlistIndex) => probes.map((p) => ix.matches(p).map((c) => c.personName));
  return { got: names(index), fresh: names(reloaded) };
}

describe('watch-list index', () => {
  it('when persons are added and removed and a list is deleted, then the index answers as a full reload does, without reloading', async () => {
    const [wanted, banned] = [randomUUID(), randomUUID()];
    await repo.create({ id: wanted, name: 'Wanted', level: 'wanted', scope: { kind: 'city' } });
    await repo.create({ id: banned, name: 'Banned', level: 'banned', scope: { kind: 'city' }, threshold: 0.35 });
    // Enough faces for the index to compute its axes, so changes reuse them.
    const crowd = Array.from({ length: 300 }, face);
    for (let i = 0; i < crowd.length; i += 3) await addPerson(wanted, `crowd-${i}`, crowd.slice(i, i + 3));
    const index = new WatchlistIndex(repo, 0.3);
    await index.rebuild();
    expect(index.size).toBe(300);

    let fullLoads = 0;
    const enrolledFaces = repo.enrolledFaces.bind(repo);
    repo.enrolledFaces = (f = {}) => (f.personId ? enrolledFaces(f) : (fullLoads++, enrolledFaces(f)));

    const alice = face();
    const aliceId = await addPerson(wanted, 'alice', [alice, near(alice)]);
    await index.apply({ watchlistId: wanted, change: 'person_added', personId: aliceId });
    // Delivered twice (at-least-once bus): still two rows for alice.
    await index.apply({ watchlistId: wanted, change: 'person_added', personId: aliceId });
    expect(index.size).toBe(302);
    expect(index.matches(near(alice)).map((c) => c.personName)).toEqual(['alice']);

    const bob = face();
    const bobId = await addPerson(banned, 'bob', [bob]);
    await index.apply({ watchlistId: banned, change: 'person_added', personId: bobId });
    expect(index.matches(near(bob))[0]).toMatchObject({ personName: 'bob', threshold: 0.35 });

    await repo.removePerson(wanted, aliceId);
    await index.apply({ watchlistId: wanted, change: 'person_removed', personId: aliceId });
    await index.apply({ watchlistId: wanted, change: 'person_removed', personId: aliceId });
    expect(index.matches(near(alice))).toEqual([]);
    expect(index.size).toBe(301);

    const probes = [near(alice), near(bob), near(crowd[0]), near(crowd[150]), face()];
    let r = await answers(index, probes);
    expect(r.got).toEqual(r.fresh);
    expect(r.got[2]).toEqual(['crowd-0']);
    // Every change so far was applied from its own rows (the one counted load is the reference reload).
    expect(fullLoads).toBe(1);

    await repo.remove(wanted);
    await index.apply({ watchlistId: wanted, change: 'deleted' });
    expect(index.size).toBe(1);
    r = await answers(index, probes);
    expect(r.got).toEqual(r.fresh);
    expect(r.got[1]).toEqual(['bob']);
    repo.enrolledFaces = enrolledFaces;
  });

  it('when a change comes without a person id, then the index reloads in full', async () => {
    const list = randomUUID();
    await repo.create({ id: list, name: 'Residents', level: 'residents', scope: { kind: 'city' } });
    const index = new WatchlistIndex(repo, 0.3);
    await index.rebuild();
    const before = index.size;
    const carol = face();
    await addPerson(list, 'carol', [carol]);
    await index.apply({ watchlistId: list, change: 'person_added' });
    expect(index.size).toBe(before + 1);
    expect(index.matches(near(carol)).map((c) => c.personName)).toEqual(['carol']);
  });
});
