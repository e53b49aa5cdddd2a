// A worker thread holding one face engine; analyses one image at a time (the WASM backend is single-threaded).
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { FaceEngine } from '../engine/face-engine.ts';
import { ImageDecodeError } from '../engine/decode.ts';
import type { AnalyseRequest, WorkerInit, WorkerMessage } from './protocol.ts';

const port = parentPort!;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  const init = workerData as WorkerInit;
  const engine = await FaceEngine.create(init);
  port.on('message', (req: AnalyseRequest) => {
    engine
      .analyse(req.image, { crops: req.crops, door: req.door })
      .then((faces) => {
        const stats = getHeapStatistics();
        // Heap plus what lives outside it (the WASM memory of the backend, tensors, buffers).
        const heapBytes = stats.used_heap_size + stats.external_memory;
        // Own copies, so transferring them cannot detach a buffer that tfjs or sharp still shares.
        const out = faces.map((f) => ({
          ...f,
          descriptor: new Float32Array(f.descriptor),
          crop: f.crop ? new Uint8Array(f.crop) : undefined,
        }));
        const transfer = out.flatMap((f) => [f.descriptor.buffer as ArrayBuffer, ...(f.crop ? [f.crop.buffer as ArrayBuffer] : [])]);
        post({ type: 'result', id: req.id, faces: out, heapBytes }, transfer);
      })
      .catch((err: unknown) =>
        post({
          type: 'error',
          id: req.id,
          error: err instanceof Error ? err.message : String(err),
          decode: err instanceof ImageDecodeError,
        }),
      );
  });
  post({ type: 'ready', info: engine.info });
} catch (err) {
  post({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
}
