// Faces: a capture to analyse (door or camera snapshot) and a watch-list match.
import { Type, type Static } from '@sinclair/typebox';
import { Id, Literals, Timestamp, Uuid } from './common.ts';

export const FaceCapture = Type.Object(
  {
    captureId: Uuid,
    ts: Timestamp,
    source: Literals(['door', 'camera'] as const),
    imagePath: Type.String({ description: 'JPEG under DATA_DIR' }),
    cameraId: Type.Optional(Id),
    propertyId: Type.Optional(Id),
    doorId: Type.Optional(Id),
    doorEventId: Type.Optional(Uuid),
    credentialId: Type.Optional(Type.String()),
    personId: Type.Optional(Type.String({ description: 'Person the door credential belongs to' })),
  },
  { $id: 'FaceCapture' },
);
export type FaceCapture = Static<typeof FaceCapture>;

export const FaceMatch = Type.Object(
  {
    matchId: Uuid,
    captureId: Uuid,
    ts: Timestamp,
    personId: Type.String(),
    watchlistId: Type.String(),
    distance: Type.Number({ minimum: 0 }),
    cropPath: Type.Optional(Type.String()),
    cameraId: Type.Optional(Id),
    propertyId: Type.Optional(Id),
    doorId: Type.Optional(Id),
  },
  { $id: 'FaceMatch' },
);
export type FaceMatch = Static<typeof FaceMatch>;

export const WatchlistChanged = Type.Object(
  {
    watchlistId: Type.String(),
    ts: Timestamp,
    change: Literals(['created', 'person_added', 'person_removed', 'deleted'] as const),
    personId: Type.Optional(Type.String({ description: 'The person added or removed: matchers update just their rows' })),
  },
  { $id: 'WatchlistChanged', description: 'Tells every face matcher to update its in-memory index (in full when personId is missing)' },
);
export type WatchlistChanged = Static<typeof WatchlistChanged>;
