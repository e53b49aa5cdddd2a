// Camera video: the ticket a live view opens its stream with, and an alert's event clips.
import { Type, type Static } from '@sinclair/typebox';

export const LiveTicket = Type.Object(
  {
    cameraId: Type.String(),
    kind: Type.Union([Type.Literal('mp4'), Type.Literal('mjpeg')], { description: 'mp4: play in a <video>; mjpeg: show in an <img>' }),
    url: Type.String({ description: 'Opens the stream; valid until expiresAt, no bearer header needed' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'LiveTicket' },
);
export type LiveTicket = Static<typeof LiveTicket>;

export const AlertClipItem = Type.Object(
  {
    cameraId: Type.String(),
    state: Type.Union([Type.Literal('recording'), Type.Literal('ready'), Type.Literal('failed')]),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    bytes: Type.Union([Type.Integer(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    url: Type.Optional(Type.String({ description: 'Plays the clip (video/mp4) until expiresAt; only when ready' })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { $id: 'AlertClipItem' },
);
export const AlertClips = Type.Object({ items: Type.Array(AlertClipItem) }, { $id: 'AlertClips' });
export type AlertClips = Static<typeof AlertClips>;
