// The face-match API's contract: a watch-list match (person, list, distance, where) and the face audit log. The
// dashboard takes its types from here.
import { Type } from '@sinclair/typebox';

export const FaceMatchItem = Type.Object({
  matchId: Type.String(),
  captureId: Type.String(),
  ts: Type.String(),
  personId: Type.String(),
  personName: Type.Optional(Type.String()),
  watchlistId: Type.String(),
  watchlistName: Type.Optional(Type.String()),
  level: Type.Optional(Type.String()),
  distance: Type.Number(),
  cropPath: Type.Optional(Type.String()),
  cameraId: Type.Optional(Type.String()),
  propertyId: Type.Optional(Type.String()),
  doorId: Type.Optional(Type.String()),
  districtId: Type.Optional(Type.String()),
});

export const AuditItem = Type.Object({
  id: Type.Integer(),
  ts: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  matchId: Type.Optional(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
