// Response schemas of the gateway's own resources; they document the API and let fastify serialise fast.
import { Type } from '@sinclair/typebox';
import { Alert, CameraPriority, CameraState, DoorEvent } from '../../core/events/index.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Camera = Type.Object(
  {
    id: Type.String(),
    urn: Nullable(Type.String()),
    name: Type.String(),
    xaddr: Nullable(Type.String()),
    cellId: Nullable(Type.String()),
    districtId: Nullable(Type.String()),
    lon: Nullable(Type.Number()),
    lat: Nullable(Type.Number()),
    heading: Nullable(Type.Number()),
    fov: Nullable(Type.Number()),
    rangeM: Nullable(Type.Number()),
    priority: CameraPriority,
    status: CameraState,
    statusSince: Nullable(Type.String({ format: 'date-time' })),
    authState: Type.String(),
    manufacturer: Nullable(Type.String()),
    model: Nullable(Type.String()),
    firmware: Nullable(Type.String()),
    serial: Nullable(Type.String()),
    streamUri: Nullable(Type.String()),
    snapshotUri: Nullable(Type.String()),
    lastSeen: Nullable(Type.String({ format: 'date-time' })),
    vanishedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'Camera' },
);

export const HealthPoint = Type.Object({
  ts: Type.String({ format: 'date-time' }),
  kind: Type.String(),
  reachable: Type.Boolean(),
  latencyMs: Nullable(Type.Number()),
  errorClass: Nullable(Type.String()),
});

export const Door = Type.Object(
  {
    id: Type.String(),
    propertyId: Type.String(),
    propertyName: Type.String(),
    districtId: Nullable(Type.String()),
    cellId: Nullable(Type.String()),
    name: Type.String(),
    lon: Nullable(Type.Number()),
    lat: Nullable(Type.Number()),
    lastEventAt: Nullable(Type.String({ format: 'date-time' })),
    lastEventType: Nullable(Type.String()),
  },
  { $id: 'Door' },
);

export const DoorEventItem = Type.Composite([
  Type.Omit(DoorEvent, ['$id']),
  Type.Object({ doorName: Type.Optional(Type.String()), propertyName: Type.Optional(Type.String()), imageUrl: Type.Optional(Type.String()) }),
]);

export const AlertItem = Type.Composite([
  Alert,
  Type.Object({
    ackedBy: Type.Optional(Type.String()),
    ackedAt: Type.Optional(Type.String()),
    resolvedBy: Type.Optional(Type.String()),
    resolvedAt: Type.Optional(Type.String()),
    updatedAt: Type.String(),
  }),
]);

export const DeadLetter = Type.Object({
  id: Type.Integer(),
  ts: Type.String({ format: 'date-time' }),
  source: Type.String(),
  topic: Nullable(Type.String()),
  reason: Type.String(),
  reasonClass: Type.String({ description: 'The reason up to its first colon (invalid_json, schema, too_large, unknown_door, …)' }),
  payload: Nullable(Type.String({ description: 'The raw payload as text, cut at storedBytes' })),
  size: Type.Integer({ description: 'Bytes received' }),
  storedBytes: Type.Integer({ description: 'Bytes of the payload kept; less than size when it was cut' }),
  occurrences: Type.Integer({ description: 'Times this exact message arrived (broker redeliveries not counted)' }),
  lastTs: Type.String({ format: 'date-time', description: 'Last arrival; ts is the first' }),
});
