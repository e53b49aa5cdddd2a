// Loads TensorFlow.js with the best backend this machine has — tfjs-node, else WASM (SIMD), else plain CPU —
// and face-api on top of it; remembers what was tried, so the choice can be logged and shown in health.
import { createRequire } from 'node:module';
import path from 'node:path';

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');
export type Tf = typeof import('@tensorflow/tfjs');

export interface LoadedBackend {
  faceapi: FaceApi;
  /** The same tfjs instance face-api uses (its bundled typings are partial). */
  tf: Tf;
  backend: BackendName;
  /** WASM only: whether the SIMD build runs. */
  simd?: boolean;
  /** Backends tried before the one in use, with why each failed. */
  skipped: { backend: BackendName; reason: string }[];
}

const require = createRequire(import.meta.url);

/** Folder of the .wasm binaries, read from disk by the emscripten loader (never fetched). */
export const WASM_DIR = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
export const MODEL_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');

/**
 * Tries the backends in `order`. Must run once per thread: face-api and tfjs keep global state, and the
 * tfjs-node and WASM builds of face-api cannot share one thread.
 */
export async function loadBackend(order: readonly BackendName[] = BACKENDS): Promise<LoadedBackend> {
  const skipped: LoadedBackend['skipped'] = [];
  for (const backend of order) {
    try {
      if (backend === 'tensorflow') {
        // The main entry of face-api requires tfjs-node; it throws here when its native binary is missing.
        const tf = require('@tensorflow/tfjs-node') as Tf;
        const faceapi = require('@vladmandic/face-api/dist/face-api.node.js') as FaceApi;
        await tf.ready();
        return { faceapi, tf, backend, skipped };
      }
      const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
      const tf = require('@tensorflow/tfjs') as Tf;
      if (backend === 'wasm') {
        const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
        // false = let the emscripten loader read the file with fs; Node's fetch cannot load a file path.
        wasm.setWasmPaths(WASM_DIR, false);
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
      await tf.ready();
      const simd = backend === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : undefined;
      return { faceapi, tf, backend, simd, skipped };
    } catch (err) {
      skipped.push({ backend, reason: (err instanceof Error ? err.message : String(err)).split('\n')[0] });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}
