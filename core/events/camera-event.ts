// ONVIF events normalised: motion, tamper, video loss — and their ends.
import { Type, type Static } from '@sinclair/typebox';
import { Id, Literals, Timestamp, Uuid } from './common.ts';

export const CAMERA_EVENT_KINDS = [
  'motion_start',
  'motion_stop',
  'tamper',
  'tamper_end',
  'video_loss',
  'video_restored',
  'device_fault',
] as const;
export const CameraEventKind = Literals(CAMERA_EVENT_KINDS);
export type CameraEventKind = Static<typeof CameraEventKind>;

export const CameraEvent = Type.Object(
  {
    eventId: Uuid,
    cameraId: Id,
    ts: Timestamp,
    kind: CameraEventKind,
    topic: Type.Optional(Type.String({ description: 'ONVIF topic, e.g. tns1:RuleEngine/CellMotionDetector/Motion' })),
    snapshotPath: Type.Optional(Type.String()),
  },
  { $id: 'CameraEvent' },
);
export type CameraEvent = Static<typeof CameraEvent>;
