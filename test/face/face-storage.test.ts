// Face tables and repositories on every backend (PostgreSQL, embedded PGlite, TimescaleDB): lists, persons and
// embeddings, scoped matches, sightings retention and the audit log.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDb } from '../helpers/db.ts';
import { WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import { FaceMatchesRepository } from '../../core/db/repositories/face-matches.repository.ts';
import { FaceAuditRepository } from '../../core/db/repositories/face-audit.repository.ts';

const descriptor = (seed: number) => Array.from({ length: 128 }, (_, i) => Math.sin(seed * 31 + i) / 10);

for (const [name, open] of Object.entries(backends)) {
  describe(`face storage on ${name}`, () => {
    let t: TestDb;
    let lists: WatchlistsRepository;
    let matches: FaceMatchesRepository;
    const wanted = randomUUID();
    const banned = randomUUID();
    const person = randomUUID();
    beforeAll(async () => {
      t = await open();
      lists = new WatchlistsRepository(t.db);
      matches = new FaceMatchesRepository(t.db);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('when persons are enrolled, then their embeddings come back with their list for the index', async () => {
      await lists.create({ id: wanted, name: 'Wanted', level: 'wanted', scope: { kind: 'district', id: 'd1' } });
      await lists.create({ id: banned, name: 'Banned', level: 'banned', scope: { kind: 'property', id: 'p9' }, threshold: 0.25 });
      await lists.addPerson({ id: person, watchlistId: wanted, name: 'A', externalId: 'x-1' }, [
        { descriptor: descriptor(1), faceWidth: 120, sharpness: 30 },
        { descriptor: descriptor(2), faceWidth: 110, sharpness: 25, cropPath: 'faces/enrolled/a.jpg' },
      ]);
      const faces = await lists.enrolledFaces();
      expect(faces).toHaveLength(2);
      expect(faces[0]).toMatchObject({
        personId: person,
        watchlistId: wanted,
        level: 'wanted',
        scopeKind: 'district',
        districtId: 'd1',
        externalId: 'x-1',
      });
      faces[0].descriptor.forEach((v, i) => expect(v).toBeCloseTo(descriptor(1)[i], 5));
      expect((await lists.persons(wanted))[0].photos).toBe(2);
      expect((await lists.list({ properties: ['p9'] })).map((l) => l.id)).toEqual([banned]);
      expect((await lists.list({ districts: ['d2'] })).map((l) => l.id)).toEqual([]);
      expect(await lists.get('not-a-uuid')).toBeUndefined();
    });

    it('when a match is stored twice, then it is kept once and shown only within scope', async () => {
      const m = {
        matchId: randomUUID(),
        captureId: randomUUID(),
        ts: new Date().toISOString(),
        personId: person,
        watchlistId: wanted,
        distance: 0.2,
        propertyId: 'p1',
        districtId: 'd1',
      };
      expect(await matches.insert(m)).toBe(true);
      expect(await matches.insert(m)).toBe(false);
      expect((await matches.list({}, { districts: ['d1'] })).items).toEqual([
        expect.objectContaining({ matchId: m.matchId, personName: 'A', watchlistName: 'Wanted', level: 'wanted' }),
      ]);
      expect((await matches.list({}, { districts: ['d2'] })).total).toBe(0);
      expect((await matches.list({}, { properties: ['p1'] })).total).toBe(0);
      expect(await matches.get(m.matchId, { properties: ['p1'] })).toBeUndefined();
    });

    it('when sightings pass the retention, then they are deleted with their crop paths returned', async () => {
      const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
      await matches.insertSighting({
        id: randomUUID(),
        ts: old,
        captureId: randomUUID(),
        descriptor: descriptor(3),
        cropPath: 'faces/sightings/old.jpg',
      });
      await matches.insertSighting({ id: randomUUID(), ts: new Date().toISOString(), captureId: randomUUID(), descriptor: descriptor(4) });
      expect(await matches.deleteSightingsBefore(new Date(Date.now() - 30 * 86_400_000))).toEqual(['faces/sightings/old.jpg']);
      expect(await matches.countSightings()).toBe(1);
    });

    it('when views are audited, then each viewed match has its row', async () => {
      const audit = new FaceAuditRepository(t.db);
      const [a, b] = [randomUUID(), randomUUID()];
      await audit.record('alice', 'list', [a, b], { q: 1 });
      await audit.record('bob', 'watchlist_created', []);
      expect((await audit.list({ matchId: a })).map((x) => `${x.actor}:${x.action}`)).toEqual(['alice:list']);
      expect((await audit.list({ actor: 'bob' }))[0]).toMatchObject({ action: 'watchlist_created', matchId: undefined });
    });

    it('when a person is removed, then their embeddings go too', async () => {
      expect(await lists.removePerson(wanted, person)).toEqual(['faces/enrolled/a.jpg']);
      expect(await lists.enrolledFaces()).toEqual([]);
      expect(await lists.removePerson(wanted, person)).toBeUndefined();
    });
  });
}
