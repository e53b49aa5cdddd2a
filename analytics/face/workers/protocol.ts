// Messages between the face pool and its worker threads.
import type { BackendName } from '../engine/backend.ts';
import type { AnalysedFace, EngineInfo } from '../engine/face-engine.ts';

export interface WorkerInit {
  backends?: readonly BackendName[];
  minConfidence?: number;
  maxSide?: number;
}

export interface AnalyseRequest {
  id: number;
  image: Uint8Array;
  crops: boolean;
  door: boolean;
}

export type WorkerMessage =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; faces: AnalysedFace[]; heapBytes: number }
  | { type: 'error'; id: number; error: string; decode: boolean };
