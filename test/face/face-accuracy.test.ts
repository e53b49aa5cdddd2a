// The default threshold against the labelled fixture photos: no stranger accepted, no one taken for someone else,
// most photos of enrolled people found — and the customary looser threshold does accept different people here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/index.ts';
import { FacePool } from '../../analytics/face/workers/face-pool.ts';
import { identify, pairs, ratesAt, type Labelled } from '../../analytics/face/calibration.ts';
import { faces } from './face-helpers.ts';

describe('face accuracy on fixtures/faces', () => {
  let pool: FacePool;
  let items: Labelled[];
  const threshold = Number(loadConfig({}).faceThreshold);

  beforeAll(async () => {
    pool = await FacePool.start({ workers: 1, queueMax: 1000 });
    const analysed = await Promise.all(faces.single.map(async (img) => ({ img, found: await pool.analyse(faces.read(img)) })));
    items = analysed.filter((a) => a.img.person).map((a) => {
      expect(a.found, a.img.file).toHaveLength(1);
      return { file: a.img.file, person: a.img.person!, descriptor: a.found[0].descriptor };
    });
  }, 300_000);
  afterAll(async () => {
    await pool?.close();
  });

  it('when every pair is compared at the default threshold, then no two different people match', () => {
    const r = ratesAt(pairs(items), threshold);
    expect(r.differentPairs).toBeGreaterThan(500);
    expect(r.falseAccepts).toBe(0);
  });

  it('when each photo is searched among all the others, then nobody is taken for someone else and most are found', () => {
    const id = identify(items, threshold);
    expect(id.wrong).toBe(0);
    expect(id.impostorAccepts).toBe(0);
    expect(id.found).toBeGreaterThan(id.missed);
  });

  it("when face-api's customary 0.6 is used (about 0.41 between unit vectors), then different people match", () => {
    expect(ratesAt(pairs(items), 0.41).falseAccepts).toBeGreaterThan(0);
  });
});
