// Accuracy on the held-apart part of the evaluation set (fixtures/faces/eval: distances same vs different person,
// FAR/TAR at the default thresholds, which came from the calibration part), faces per second through decode → detect →
// describe → match on door captures (the held-apart 300-px photos, door path) with one worker and with one per core,
// beside face-api's own SSD detect and describe on the same pictures, memory per worker, and nearest-neighbour latency
// and recall over 100,000 enrolled identities.
// BENCH_FACES_PARTS=nn runs only the nearest-neighbour rows (the fixture photos still go through the engine once).
import { cpus, loadavg } from 'node:os';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Row } from './main.ts';
import { loadConfig } from '../core/config/index.ts';
import { FacePool } from '../analytics/face/workers/face-pool.ts';
import { DIM, VectorIndex, normalise, type VectorIndexOptions } from '../analytics/face/index/vector-index.ts';
import { covariance, symmetricEigen } from '../analytics/face/index/pca.ts';
import { atThreshold, identify, pairs, quantile, type Labelled } from '../analytics/face/calibration.ts';
import { MODEL_DIR } from '../analytics/face/engine/backend.ts';
import { loadEvalSet, readEvalImage } from '../fixtures/faces/faces.ts';
import { spoofRows } from './face-spoof.ts';

const SECONDS = Number(process.env.BENCH_FACES_SECONDS ?? 5);
const IDENTITIES = Number(process.env.BENCH_FACES_IDENTITIES ?? 100_000);
const QUERIES = 2000;
/** Probes whose answers are checked against a full float64 scan (each scan reads all 100,000 descriptors). */
const RECALL_PROBES = Number(process.env.BENCH_FACES_RECALL_PROBES ?? 400);
/** Which parts to run: accuracy, nn (nearest neighbours; with nn-js also the JavaScript passes), throughput; spoof (door liveness) only when asked. */
const PARTS = new Set((process.env.BENCH_FACES_PARTS ?? 'accuracy,nn,nn-js,throughput').split(','));
const config = loadConfig({});
const threshold = Number(config.faceThreshold);
const thresholdWanted = Number(config.faceThresholdWanted);
const f3 = (x: number) => x.toFixed(3);

/**
 * 100,000 synthetic identities shaped like real descriptors: Gaussian with the mean and covariance of the real ones,
 * the covariance shrunk halfway towards isotropic (a few dozen photos cannot show all 128 axes, and a flatter
 * spectrum is the harder case for the index), then unit length.
 */
export function syntheticFaces(real: readonly Float32Array[], n: number, shrink = 0.5): Float32Array[] {
  const mean = new Float64Array(DIM);
  for (const v of real) for (let i = 0; i < DIM; i++) mean[i] += v[i] / real.length;
  const c = covariance(real, DIM);
  let trace = 0;
  for (let i = 0; i < DIM; i++) trace += c[i * DIM + i];
  for (let i = 0; i < DIM * DIM; i++) c[i] *= 1 - shrink;
  for (let i = 0; i < DIM; i++) c[i * DIM + i] += (shrink * trace) / DIM;
  const { values, vectors } = symmetricEigen(c, DIM);
  let s = 12345;
  const uni = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni());
  const z = new Float64Array(DIM);
  return Array.from({ length: n }, () => {
    for (let k = 0; k < DIM; k++) z[k] = Math.sqrt(Math.max(0, values[k])) * gauss();
    const x = Float64Array.from(mean);
    for (let k = 0; k < DIM; k++) for (let i = 0; i < DIM; i++) x[i] += vectors[k * DIM + i] * z[k];
    return normalise(x);
  });
}

export interface NearestNeighbourRun {
  lat: number[];
  cpu: number[];
  buildMs: number;
  /** A watch-list change applied to the built index: a person of 3 photos added, one of 3 removed (ms). */
  changeMs: { add: number; remove: number };
  synthMedian: number;
  size: number;
  index: VectorIndex<number>;
  /** True matches (full float64 scan) among the first `checked` probes, how many the index returned, and extras. */
  recall: { checked: number; truth: number; found: number; extra: number };
}

/** Every row within `radius` of `q` by a plain float64 scan over the raw descriptors: the reference for recall. */
function fullScan(rows: readonly Float32Array[], q: Float32Array, radius: number): number[] {
  const out: number[] = [];
  const r2 = radius * radius;
  rows.forEach((x, row) => {
    let s = 0;
    for (let i = 0; i < DIM; i++) s += (x[i] - q[i]) ** 2;
    if (s <= r2) out.push(row);
  });
  return out;
}

/** Nearest-neighbour latencies (ms, sorted) over an index of `n` identities built around `real`. */
export function nearestNeighbourLatency(
  real: readonly Float32Array[],
  n: number,
  queries: number,
  options: VectorIndexOptions = {},
  synth = syntheticFaces(real, n - real.length),
): NearestNeighbourRun {
  const rows = [...synth, ...real];
  let t0 = performance.now();
  const index = new VectorIndex<number>(
    rows.map((descriptor, meta) => ({ descriptor, meta })),
    options,
  );
  const buildMs = performance.now() - t0;
  const lat: number[] = [];
  const cpu: number[] = [];
  // Half the probes are real faces, half new synthetic ones (strangers to the index).
  const strangers = syntheticFaces(real, queries >> 1, 0.52);
  const probes = Array.from({ length: queries }, (_, q) => (q % 2 ? real[q % real.length] : strangers[q >> 1]));
  for (const probe of probes) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    index.within(probe, threshold, 5);
    lat.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  lat.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  t0 = performance.now();
  const grown = index.withChanges(
    () => true,
    strangers.slice(0, 3).map((descriptor, i) => ({ descriptor, meta: rows.length + i })),
  );
  const add = performance.now() - t0;
  t0 = performance.now();
  grown.withChanges((m) => m < 3 || m > 5, []);
  const changeMs = { add, remove: performance.now() - t0 };
  // Recall against a full scan, on as many probes as a full float64 scan can afford, all matches (k unbounded).
  const recall = { checked: Math.min(queries, RECALL_PROBES), truth: 0, found: 0, extra: 0 };
  for (const probe of probes.slice(0, recall.checked)) {
    const truth = new Set(fullScan(rows, probe, threshold));
    const got = index.within(probe, threshold, rows.length).map((h) => h.meta);
    recall.truth += truth.size;
    recall.found += got.filter((m) => truth.has(m)).length;
    recall.extra += got.filter((m) => !truth.has(m)).length;
  }
  const sd = synth.slice(0, 200);
  const synthMedian = quantile(
    sd.flatMap((a, i) => sd.slice(i + 1).map((b) => Math.sqrt(a.reduce((acc, x, k) => acc + (x - b[k]) ** 2, 0)))).sort((a, b) => a - b),
    0.5,
  );
  return { lat, cpu, buildMs, changeMs, synthMedian, size: index.size, index, recall };
}

async function throughput(
  workers: number,
  images: Buffer[],
  index: VectorIndex<number>,
  door = false,
): Promise<{ facesPerSec: number; imagesPerSec: number; perWorkerMiB: number; rssPerWorkerMiB: number }> {
  const rss0 = process.memoryUsage().rss;
  const pool = await FacePool.start({ workers, queueMax: workers * 4 });
  try {
    await Promise.all(Array.from({ length: workers * 2 }, (_, i) => pool.analyse(images[i % images.length], { door }))); // warm up
    let faces = 0;
    let done = 0;
    let next = 0;
    const end = performance.now() + SECONDS * 1000;
    const t0 = performance.now();
    // Keep each worker busy with one job waiting behind the one it runs.
    const lane = async () => {
      while (performance.now() < end) {
        const found = await pool.analyse(images[next++ % images.length], { door });
        for (const f of found) index.within(f.descriptor, threshold, 5);
        faces += found.length;
        done++;
      }
    };
    await Promise.all(Array.from({ length: workers * 2 }, lane));
    const secs = (performance.now() - t0) / 1000;
    const mem = pool.workerMemory;
    return {
      facesPerSec: faces / secs,
      imagesPerSec: done / secs,
      perWorkerMiB: mem.reduce((a, b) => a + b, 0) / mem.length / 2 ** 20,
      rssPerWorkerMiB: (process.memoryUsage().rss - rss0) / workers / 2 ** 20,
    };
  } finally {
    await pool.close();
  }
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const held = loadEvalSet('held');
  const cores = cpus().length;

  // Accuracy: every held-apart evaluation photo through the real engine (enrolment path: SSD detector).
  const pool = await FacePool.start({ workers: cores, queueMax: 1000 });
  const backend = `${pool.info!.backend}${pool.info!.simd ? ' (SIMD)' : ''}`;
  const analysed = await Promise.all(held.map(async (img) => ({ img, faces: await pool.analyse(readEvalImage(img)) })));
  await pool.close();
  const items: Labelled[] = analysed
    .filter((a) => a.faces.length >= 1)
    .map((a) => ({ file: a.img.file, person: a.img.person, descriptor: a.faces[0].descriptor }));
  const p = pairs(items);
  const same = p.same.map((x) => x.distance).sort((a, b) => a - b);
  const diff = p.different.map((x) => x.distance).sort((a, b) => a - b);
  const people = new Set(items.map((i) => i.person)).size;
  if (PARTS.has('accuracy')) {
    rows.push({
      name: 'evaluation set, held-apart part',
      value: `${items.length} photos, ${people} people, ${same.length} same / ${diff.length} different pairs`,
      note: `fixtures/faces/eval (London set, CC BY 4.0); ${held.length - items.length} photos without a face found; thresholds come from the calibration part`,
    });
    rows.push({
      name: 'distance same person (min / median / max)',
      value: `${f3(same[0])} / ${f3(quantile(same, 0.5))} / ${f3(same[same.length - 1])}`,
      note: 'Euclidean between unit-length descriptors',
    });
    rows.push({
      name: 'distance different people (min / 1% / median)',
      value: `${f3(diff[0])} / ${f3(quantile(diff, 0.01))} / ${f3(quantile(diff, 0.5))}`,
    });
    for (const [t, what] of [
      [threshold, 'FACE_MATCH_THRESHOLD (banned, residents)'],
      [thresholdWanted, 'FACE_MATCH_THRESHOLD_WANTED'],
    ] as const) {
      const r = atThreshold(p, t);
      const id = identify(items, t);
      rows.push({
        name: `threshold ${t.toFixed(2)}, ${what}: FAR / TAR (pairs)`,
        value: `${(r.far * 100).toFixed(2)} % / ${(r.tar * 100).toFixed(1)} %`,
        note: `${r.falseAccepts}/${r.differentPairs} false accepts, ${r.trueAccepts}/${r.samePairs} same-person pairs accepted (TAR 95 % interval ${(r.tarCi[0] * 100).toFixed(1)}–${(r.tarCi[1] * 100).toFixed(1)} %); leave-one-out: ${id.found}/${id.genuine} found, ${id.wrong} wrong, ${id.impostorAccepts}/${id.impostors} strangers accepted`,
      });
    }
  }

  // Nearest neighbours among 100,000 identities (synthetic, shaped like the real ones) plus the real ones.
  const real = items.map((i) => normalise(i.descriptor));
  const synth = syntheticFaces(real, IDENTITIES - real.length);
  const nnRow = (nn: NearestNeighbourRun, method: string): Row => ({
    name: `nearest-neighbour query, ${IDENTITIES.toLocaleString('en')} identities${nn.index.simd ? '' : ', JavaScript passes'} (p50 / p99)`,
    value: `${nn.lat[QUERIES >> 1].toFixed(2)} ms / ${quantile(nn.lat, 0.99).toFixed(2)} ms`,
    // The target is the search as it runs here (WebAssembly SIMD); the JavaScript passes are the fallback, shown for scale.
    target: nn.index.simd ? 'p99 < 5 ms' : '',
    note: `CPU time per query p50 / p99 ${nn.cpu[QUERIES >> 1].toFixed(2)} / ${quantile(nn.cpu, 0.99).toFixed(2)} ms (load average ${loadavg()[0].toFixed(1)} on ${cores} cores); ${method}, radius ${threshold}, ${QUERIES} queries (half real faces, half strangers); recall vs full float64 scan ${nn.recall.truth ? (nn.recall.found / nn.recall.truth).toFixed(3) : 'n/a'} (${nn.recall.found}/${nn.recall.truth} true matches over the first ${nn.recall.checked} queries, ${nn.recall.extra} extra); index build ${Math.round(nn.buildMs)} ms (at start, and again once changes have touched a quarter of the rows), index memory ${Math.round(nn.index.memoryBytes / 2 ** 20)} MiB; synthetic faces, median distance ${f3(nn.synthMedian)} (real ${f3(quantile(diff, 0.5))})`,
  });
  let index: VectorIndex<number> | undefined;
  if (PARTS.has('nn')) {
    const nn = nearestNeighbourLatency(real, IDENTITIES, QUERIES, {}, synth);
    index = nn.index;
    rows.push(
      nnRow(
        nn,
        `exact radius search, principal axes in 8-axis blocks with early abandoning, ${nn.index.simd ? 'WebAssembly SIMD passes' : 'JavaScript passes (no WebAssembly SIMD here)'}`,
      ),
    );
    rows.push({
      name: `watch-list change applied to the index, ${IDENTITIES.toLocaleString('en')} identities: person added / removed (3 photos)`,
      value: `${nn.changeMs.add.toFixed(0)} ms / ${nn.changeMs.remove.toFixed(0)} ms`,
      note: `axes and already-turned rows reused, only the new photos turned (a full build: ${Math.round(nn.buildMs)} ms); the database read of the person's rows comes on top`,
    });
  }
  if (PARTS.has('nn-js')) {
    const js = nearestNeighbourLatency(real, IDENTITIES, QUERIES, { simd: false }, synth);
    rows.push(nnRow(js, 'same search with the plain JavaScript passes (the fallback without WebAssembly SIMD)'));
  }
  if (PARTS.has('spoof')) rows.push(...(await spoofRows()));
  if (!PARTS.has('throughput')) return rows;
  index ??= new VectorIndex([...synth, ...real].map((descriptor, meta) => ({ descriptor, meta })));

  // Whole path: JPEG bytes → faces matched against that index. Door captures: the held-apart 300-px photos.
  const doorImages = held.map(readEvalImage);
  const one = await throughput(1, doorImages, index, true);
  const all = await throughput(cores, doorImages, index, true);
  const lib = await throughput(1, doorImages, index, false);
  const load = `load average ${loadavg()[0].toFixed(1)} on ${cores} cores`;
  rows.push({
    name: 'faces/s, door captures (300 px, 1 face), 1 worker',
    value: one.facesPerSec.toFixed(1),
    target: '≥ 8 per core',
    note: `${backend}; decode, tiny detector at 160 px (SSD when it finds none), landmarks, descriptor, match; ${load}`,
  });
  rows.push({
    name: `faces/s, door captures, ${cores} workers (one per core)`,
    value: all.facesPerSec.toFixed(1),
    note: `${backend}; ${(all.facesPerSec / cores).toFixed(1)} per core; ${load}`,
  });
  rows.push({
    name: 'faces/s, same captures, face-api SSD detect and describe, 1 worker',
    value: lib.facesPerSec.toFixed(1),
    note: `the library's own detectAllFaces(SSD).withFaceLandmarks().withFaceDescriptors() path, as enrolment and camera snapshots use it; ${load}`,
  });
  const group = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => readFile(`${MODEL_DIR}/../demo/sample${i}.jpg`)));
  const snap = await throughput(cores, group, index);
  rows.push({
    name: `faces/s, 1920-px group photos (3–5 faces), ${cores} workers`,
    value: snap.facesPerSec.toFixed(1),
    note: `${snap.imagesPerSec.toFixed(2)} images/s; face-api demo photos`,
  });
  rows.push({
    name: 'memory per worker',
    value: `${Math.round(snap.perWorkerMiB)} MiB`,
    note: `V8 heap + external (WASM memory) after 1920-px photos; door captures only: ${Math.round(all.perWorkerMiB)} MiB; process RSS growth per worker ${Math.round(snap.rssPerWorkerMiB)} MiB`,
  });
  return rows;
}
