// A camera's state machine transition, published on every change.
import { Type, type Static } from '@sinclair/typebox';
import { Id, Literals, Timestamp } from './common.ts';

export const CAMERA_STATES = ['unknown', 'online', 'suspect', 'offline', 'recovering', 'flapping'] as const;
export const CameraState = Literals(CAMERA_STATES);
export type CameraState = Static<typeof CameraState>;

export const CameraStatusChange = Type.Object(
  {
    cameraId: Id,
    ts: Timestamp,
    from: CameraState,
    to: CameraState,
    reason: Type.Optional(Type.String()),
  },
  { $id: 'CameraStatusChange' },
);
export type CameraStatusChange = Static<typeof CameraStatusChange>;
