// Response schemas of the gateway's own resources; they document the API and let fastify serialise fast.
import { Type } from '@sinclair/typebox';
import { Alert, CameraPriority, CameraState, DoorEvent } from '../../core/events/index.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CameraProtocol = Type.Union([Type.Literal('onvif'), Type.Literal('gb28181')], {
  description: 'ONVIF, or a channel of a GB/T 28181 device',
});

export const Camera = Type.Object(
  {
    id: Type.String(),
    urn: Nullable(Type.String()),
    name: Type.String(),
    nameZh: Type.Optional(Nullable(Type.String({ description: 'The Chinese name, when the city has one' }))),
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
    protocol: CameraProtocol,
    parentId: Nullable(Type.String({ description: 'The GB/T 28181 device (IPC, NVR) a channel belongs to' })),
    inventoryErrors: Type.Array(
      Type.Object({
        call: Type.String({ description: 'The ONVIF call, e.g. GetSnapshotUri' }),
        errorClass: Type.String(),
        message: Type.String(),
      }),
      { description: 'ONVIF calls of the last inventory that failed; the rest of the inventory is kept' },
    ),
    capabilities: Type.Record(Type.String(), Type.Boolean(), {
      description: 'Optional services the camera has (events, snapshot, videoSources); a missing one is not a failure',
    }),
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
    propertyNameZh: Type.Optional(Nullable(Type.String())),
    districtId: Nullable(Type.String()),
    cellId: Nullable(Type.String()),
    name: Type.String(),
    nameZh: Type.Optional(Nullable(Type.String())),
    lon: Nullable(Type.Number()),
    lat: Nullable(Type.Number()),
    lastEventAt: Nullable(Type.String({ format: 'date-time' })),
    lastEventType: Nullable(Type.String()),
  },
  { $id: 'Door' },
);

export const DoorEventItem = Type.Composite([
  Type.Omit(DoorEvent, ['$id']),
  Type.Object({
    doorName: Type.Optional(Type.String()),
    doorNameZh: Type.Optional(Type.String()),
    propertyName: Type.Optional(Type.String()),
    propertyNameZh: Type.Optional(Type.String()),
    imageUrl: Type.Optional(Type.String()),
  }),
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
