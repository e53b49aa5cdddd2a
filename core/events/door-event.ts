// Door access: the wire contract of door controllers (docs/DOOR-EVENTS.md) and the normalised stored event.
import { Type, type Static } from '@sinclair/typebox';
import { Id, Literals, Timestamp, Uuid } from './common.ts';

export const DOOR_EVENT_TYPES = ['granted', 'denied', 'forced_open', 'held_open', 'door_closed', 'tamper', 'face_capture'] as const;
export const DoorEventType = Literals(DOOR_EVENT_TYPES, 'What happened at the door');
export type DoorEventType = Static<typeof DoorEventType>;

export const CREDENTIAL_KINDS = ['card', 'face', 'qr', 'pin', 'remote'] as const;
export const Credential = Type.Object(
  { kind: Literals(CREDENTIAL_KINDS), id: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

/** What a door controller publishes on `access/{propertyId}/{doorId}/events`. */
export const DoorEventPayload = Type.Object(
  {
    eventId: Uuid,
    ts: Timestamp,
    type: DoorEventType,
    direction: Type.Optional(Literals(['in', 'out'] as const)),
    credential: Type.Optional(Credential),
    personId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    image: Type.Optional(
      Type.String({ contentEncoding: 'base64', contentMediaType: 'image/jpeg', description: 'JPEG, base64 (face captures)' }),
    ),
  },
  { additionalProperties: false, $id: 'DoorEventPayload' },
);
export type DoorEventPayload = Static<typeof DoorEventPayload>;

/** A door event after validation and normalisation, as stored and published on the bus. */
export const DoorEvent = Type.Object(
  {
    eventId: Uuid,
    ts: Timestamp,
    propertyId: Id,
    doorId: Id,
    type: DoorEventType,
    direction: Type.Optional(Literals(['in', 'out'] as const)),
    credentialKind: Type.Optional(Literals(CREDENTIAL_KINDS)),
    credentialId: Type.Optional(Type.String()),
    personId: Type.Optional(Type.String()),
    imagePath: Type.Optional(Type.String({ description: 'Face image under DATA_DIR' })),
    receivedAt: Timestamp,
  },
  { $id: 'DoorEvent' },
);
export type DoorEvent = Static<typeof DoorEvent>;

/**
 * Door events as published on the bus: every event of one committed write, so the bus carries one message per
 * batch rather than one per event (at 20,000 events/s the per-message cost of MQTT is what limits throughput).
 */
export const DoorEventBatch = Type.Object({ events: Type.Array(DoorEvent, { minItems: 1, maxItems: 1000 }) }, { $id: 'DoorEventBatch' });
export type DoorEventBatch = Static<typeof DoorEventBatch>;
