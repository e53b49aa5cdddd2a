// Enrolment as a request to the face service over the bus, and its answer: the gateway holds no face model.
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';

export const FaceEnrolRequest = Type.Object(
  {
    requestId: Uuid,
    ts: Timestamp,
    watchlistId: Uuid,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    externalId: Type.Optional(Type.String({ maxLength: 200 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    photos: Type.Array(
      Type.Object({ filename: Type.String(), path: Type.String({ description: 'Photo under DATA_DIR, written by the gateway' }) }),
      { minItems: 1, maxItems: 20 },
    ),
  },
  {
    $id: 'FaceEnrolRequest',
    description: 'Enrol a person from photos; the person id is the request id, so a redelivered request enrols once',
  },
);
export type FaceEnrolRequest = Static<typeof FaceEnrolRequest>;

export const PhotoVerdict = Type.Object({
  photo: Type.String(),
  index: Type.Integer({ minimum: 0 }),
  ok: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  faces: Type.Integer({ minimum: 0 }),
  faceWidth: Type.Optional(Type.Number()),
  sharpness: Type.Optional(Type.Number()),
});

export const FaceEnrolReply = Type.Object(
  {
    requestId: Uuid,
    ts: Timestamp,
    outcome: Type.Union([Type.Literal('enrolled'), Type.Literal('refused'), Type.Literal('busy')]),
    personId: Type.Optional(Uuid),
    reason: Type.Optional(Type.String()),
    photos: Type.Array(PhotoVerdict),
  },
  { $id: 'FaceEnrolReply' },
);
export type FaceEnrolReply = Static<typeof FaceEnrolReply>;
