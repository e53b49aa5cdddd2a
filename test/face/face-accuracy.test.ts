// The default thresholds against the held-apart part of the evaluation set (fixtures/faces/eval), which played no
// part in choosing them (they come from the calibration part): real, independently taken photos of the same people.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/index.ts';
import { FacePool } from '../../analytics/face/workers/face-pool.ts';
import { atThreshold, identify, pairs, type Labelled } from '../../analytics/face/calibration.ts';
import { loadEvalSet, readEvalImage } from '../../fixtures/faces/faces.ts';

describe('face accuracy on the held-apart evaluation photos', () => {
  let pool: FacePool;
  let items: Labelled[];
  const config = loadConfig({});
  const strict = Number(config.faceThreshold);
  const wanted = Number(config.faceThresholdWanted);

  beforeAll(async () => {
    pool = await FacePool.start({ workers: 1, queueMax: 1000 });
    const held = loadEvalSet('held');
    const found = await Promise.all(held.map(async (img) => ({ img, faces: await pool.analyse(readEvalImage(img)) })));
    items = found.map(({ img, faces }) => {
      expect(faces.length, img.file).toBeGreaterThanOrEqual(1);
      return { file: img.file, person: img.person, descriptor: faces[0].descriptor };
    });
  }, 900_000);
  afterAll(async () => {
    await pool?.close();
  });

  it('when every held-apart pair is compared at FACE_MATCH_THRESHOLD, then at most 0.5 % of strangers match and at least 95 % of same-person pairs do', () => {
    const r = atThreshold(pairs(items), strict);
    expect(r.differentPairs).toBeGreaterThan(10_000);
    expect(r.samePairs).toBeGreaterThanOrEqual(70);
    expect(r.far).toBeLessThanOrEqual(0.005);
    expect(r.tar).toBeGreaterThanOrEqual(0.95);
  });

  it('when the looser wanted-list threshold is used, then it finds at least as many and keeps strangers under 2 %', () => {
    const p = pairs(items);
    const loose = atThreshold(p, wanted);
    expect(wanted).toBeGreaterThan(strict);
    expect(loose.tar).toBeGreaterThanOrEqual(atThreshold(p, strict).tar);
    expect(loose.far).toBeLessThanOrEqual(0.02);
  });

  it('when each held-apart photo is searched among all the others at FACE_MATCH_THRESHOLD, then nobody is taken for someone else and at least 95 % are found', () => {
    const id = identify(items, strict);
    expect(id.wrong).toBe(0);
    expect(id.found / id.genuine).toBeGreaterThanOrEqual(0.95);
  });
});
