// One health check of one camera: a heartbeat (SOAP) or a stream check (ffmpeg).
import { Type, type Static } from '@sinclair/typebox';
import { Id, Literals, Timestamp } from './common.ts';

export const HEALTH_ERROR_CLASSES = [
  'refused',
  'timeout',
  'auth',
  'bad_response',
  'no_video',
  'black',
  'frozen',
  'low_fps',
  'low_resolution',
] as const;
export const HealthErrorClass = Literals(HEALTH_ERROR_CLASSES, 'Why the check failed');
export type HealthErrorClass = Static<typeof HealthErrorClass>;

export const StreamCheck = Type.Object({
  opened: Type.Boolean(),
  codec: Type.Optional(Type.String()),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  frames: Type.Integer({ minimum: 0, description: 'Frames received over the sample' }),
  fps: Type.Optional(Type.Number()),
  black: Type.Boolean(),
  frozen: Type.Boolean(),
});
export type StreamCheck = Static<typeof StreamCheck>;

export const CameraHealthSample = Type.Object(
  {
    sampleId: Type.String({ format: 'uuid' }),
    cameraId: Id,
    ts: Timestamp,
    kind: Literals(['heartbeat', 'stream'] as const),
    reachable: Type.Boolean(),
    latencyMs: Type.Optional(Type.Number({ minimum: 0 })),
    errorClass: Type.Optional(HealthErrorClass),
    error: Type.Optional(Type.String({ maxLength: 500 })),
    stream: Type.Optional(StreamCheck),
  },
  { $id: 'CameraHealthSample' },
);
export type CameraHealthSample = Static<typeof CameraHealthSample>;
