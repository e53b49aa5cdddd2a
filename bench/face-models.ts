// Issue 14's model choice: every descriptor model available on npm that runs in TensorFlow.js without a download,
// on the evaluation set (fixtures/faces/eval): TAR at FAR 1 % and 0.1 % with 95 % intervals on the held-apart part,
// the threshold for a stated FAR taken from the calibration part, time per face, and the ROC picture in docs/.
// Each model runs in a child process of its own (one thread, WASM backend), so neither shares state nor memory.
// Run: npx tsx bench/face-models.ts   (writes docs/face-roc.png and prints the rows as JSON)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import sharp from 'sharp';
import * as echarts from 'echarts';
import { atFar, atThreshold, pairs, roc, unitDistance, type Labelled, type OperatingPoint } from '../analytics/face/calibration.ts';
import { loadEvalSet, readEvalImage } from '../fixtures/faces/faces.ts';
import { loadConfig } from '../core/config/index.ts';

/** The product's default thresholds (face-api's scale: the rows of other models at these values mean nothing). */
const config = loadConfig({});

/** `face-api-door`: the product's door path (tiny detector on a 224-px input, then the same landmarks and descriptor). */
export const MODELS = ['face-api', 'face-api-door', 'faceres', 'faceres-deep', 'mobilefacenet', 'mobileface'] as const;
export type ModelName = (typeof MODELS)[number];

interface Described {
  model: ModelName;
  /** File → descriptor; absent when no face was found. */
  descriptors: Record<string, number[]>;
  missed: string[];
  msPerFace: number;
  rssMb: number;
}

/** In the child: describes every photo of the set with one model, timing the whole pipeline per photo. */
async function describeAll(model: ModelName): Promise<Described> {
  const images = loadEvalSet();
  let analyse: (b: Uint8Array) => Promise<{ descriptor?: ArrayLike<number> }[]>;
  if (model === 'face-api' || model === 'face-api-door') {
    const { FaceEngine } = await import('../analytics/face/engine/face-engine.ts');
    const engine = await FaceEngine.create({ backends: ['wasm'] });
    analyse = (b) => engine.analyse(b, { door: model === 'face-api-door' });
  } else {
    const { HumanEngine } = await import('../analytics/face/engine/human-engine.ts');
    const engine = await HumanEngine.create({ descriptor: model as Exclude<ModelName, 'face-api' | 'face-api-door'>, maxFaces: 1 });
    analyse = (b) => engine.analyse(b);
  }
  await analyse(readEvalImage(images[0])); // warm-up: first run compiles the WASM kernels' shapes
  const descriptors: Record<string, number[]> = {};
  const missed: string[] = [];
  let ms = 0;
  for (const img of images) {
    const bytes = readEvalImage(img);
    const t = performance.now();
    const faces = await analyse(bytes);
    ms += performance.now() - t;
    const d = faces[0]?.descriptor;
    if (d) descriptors[img.file] = Array.from(d);
    else missed.push(img.file);
  }
  return { model, descriptors, missed, msPerFace: ms / images.length, rssMb: process.memoryUsage().rss / 2 ** 20 };
}

export interface ModelRow {
  model: ModelName;
  dims: number;
  msPerFace: number;
  rssMb: number;
  missed: number;
  held: {
    at1: OperatingPoint;
    at01: OperatingPoint;
    calibrated1: OperatingPoint;
    calibrated01: OperatingPoint;
    atDefaults: { strict: OperatingPoint; wanted: OperatingPoint };
    eer: number;
  };
  calibration: { at1: OperatingPoint; at01: OperatingPoint };
  rocHeld: { far: number; tar: number }[];
}

/** Pairs of one part; a photo where no face was found rejects each of its same-person pairs (distance ∞). */
function pairsOf(d: Described, split: 'calibration' | 'held') {
  const images = loadEvalSet(split);
  const items: Labelled[] = images
    .filter((i) => d.descriptors[i.file])
    .map((i) => ({ file: i.file, person: i.person, descriptor: d.descriptors[i.file] }));
  const p = pairs(items, unitDistance);
  for (const m of images.filter((i) => !d.descriptors[i.file])) {
    for (const o of images)
      if (o !== m && o.person === m.person && (d.descriptors[o.file] || o.file > m.file))
        p.same.push({ a: m.file, b: o.file, distance: Infinity });
  }
  return p;
}

function equalErrorRate(p: ReturnType<typeof pairsOf>): number {
  const r = roc(p);
  let best = 1;
  for (const x of r) best = Math.min(best, Math.max(x.far, 1 - x.tar));
  return best;
}

export function summarise(d: Described): ModelRow {
  const held = pairsOf(d, 'held');
  const cal = pairsOf(d, 'calibration');
  const cal1 = atFar(cal, 0.01);
  const cal01 = atFar(cal, 0.001);
  return {
    model: d.model,
    dims: Object.values(d.descriptors)[0]?.length ?? 0,
    msPerFace: d.msPerFace,
    rssMb: d.rssMb,
    missed: d.missed.length,
    held: {
      at1: atFar(held, 0.01),
      at01: atFar(held, 0.001),
      calibrated1: atThreshold(held, cal1.threshold),
      calibrated01: atThreshold(held, cal01.threshold),
      atDefaults: {
        strict: atThreshold(held, Number(config.faceThreshold)),
        wanted: atThreshold(held, Number(config.faceThresholdWanted)),
      },
      eer: equalErrorRate(held),
    },
    calibration: { at1: cal1, at01: cal01 },
    rocHeld: roc(held),
  };
}

/** The ROC curves (log FAR axis) as a PNG: echarts renders SVG on the server, sharp rasterises it. */
export async function rocPng(rows: readonly ModelRow[], file: string): Promise<void> {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 900, height: 560 });
  chart.setOption({
    animation: false,
    backgroundColor: '#fff',
    title: { text: 'Face descriptors on the held-apart evaluation set (ROC)', left: 'center', textStyle: { fontSize: 15 } },
    legend: { bottom: 8 },
    grid: { left: 70, right: 30, top: 50, bottom: 90 },
    xAxis: { type: 'log', name: 'false accept rate', nameLocation: 'middle', nameGap: 28, min: 1e-4, max: 1 },
    yAxis: { type: 'value', name: 'true accept rate', nameLocation: 'middle', nameGap: 45, min: 0.5, max: 1 },
    series: rows.map((r) => ({
      name: `${r.model} (TAR@1% ${(r.held.at1.tar * 100).toFixed(1)} %)`,
      type: 'line',
      step: 'end',
      showSymbol: false,
      data: r.rocHeld.filter((p) => p.far > 0).map((p) => [Math.max(p.far, 1e-4), p.tar]),
    })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  await sharp(Buffer.from(svg)).png().toFile(file);
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--describe');
  if (child >= 0) {
    process.stdout.write(JSON.stringify(await describeAll(process.argv[child + 1] as ModelName)));
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const models = (process.env.BENCH_FACE_MODELS?.split(',') ?? MODELS) as ModelName[];
  const rows: ModelRow[] = [];
  for (const model of models) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--describe', model], {
      maxBuffer: 512 * 2 ** 20,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`${model}: child exited with ${r.status}`);
    rows.push(summarise(JSON.parse(r.stdout) as Described));
    const x = rows.at(-1)!;
    console.error(
      `${model}: ${x.dims}-d, ${x.msPerFace.toFixed(0)} ms/face, held TAR@FAR1% ${x.held.at1.tar.toFixed(3)} [${x.held.at1.tarCi.map((v) => v.toFixed(3))}], @0.1% ${x.held.at01.tar.toFixed(3)}, missed ${x.missed}`,
    );
  }
  if (process.env.BENCH_FACE_ROC !== '0') await rocPng(rows, path.join(path.dirname(self), '..', 'docs', 'face-roc.png'));
  console.log(JSON.stringify({ cpu: cpus()[0]?.model, rows: rows.map(({ rocHeld: _, ...r }) => r) }, null, 1));
  writeFileSync(
    process.env.BENCH_FACE_MODELS_OUT ?? '/tmp/face-models.json',
    JSON.stringify(
      rows.map(({ rocHeld: _, ...r }) => r),
      null,
      1,
    ),
  );
}

await main();
