// Turns one raw door-controller MQTT message into a normalised DoorEvent, or the reason it must be a dead letter.
import { DoorEventPayload, Id, validator, ValidationError, type DoorEvent } from '../../core/events/index.ts';
import { parseDoorIntakeTopic } from '../../core/bus/topics.ts';

export interface DecodeLimits {
  /** Largest accepted payload in bytes (MQTT_MAX_PAYLOAD). */
  maxPayload: number;
  /** Oldest accepted event age: older rows would fall outside retention (and force many partitions). */
  maxAgeMs: number;
  /** Furthest accepted clock skew into the future. */
  maxAheadMs: number;
}

export type DecodeResult = { ok: true; event: DoorEvent; image?: Buffer } | { ok: false; reason: string };

const checkPayload = validator(DoorEventPayload);
const ID = new RegExp(Id.pattern as string);
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** JPEG files start with FF D8 FF. */
function isJpeg(buf: Buffer): boolean {
  return buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
}

export function decodeDoorMessage(topic: string, raw: Buffer, limits: DecodeLimits, now: Date): DecodeResult {
  const place = parseDoorIntakeTopic(topic);
  if (!place) return { ok: false, reason: 'bad_topic: not access/{propertyId}/{doorId}/events' };
  if (!ID.test(place.propertyId) || !ID.test(place.doorId))
    return { ok: false, reason: 'bad_topic: property or door id has invalid characters' };
  if (raw.length > limits.maxPayload) return { ok: false, reason: `oversized: ${raw.length} bytes > limit ${limits.maxPayload}` };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `invalid_json: ${(err as Error).message}`.slice(0, 300) };
  }
  let p: DoorEventPayload;
  try {
    p = checkPayload(json);
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, reason: `schema: ${err.field}: ${err.detail}`.slice(0, 300) };
    throw err;
  }
  const ms = Date.parse(p.ts);
  if (ms > now.getTime() + limits.maxAheadMs) return { ok: false, reason: `schema: ts: ${p.ts} is in the future` };
  if (ms < now.getTime() - limits.maxAgeMs) return { ok: false, reason: `schema: ts: ${p.ts} is older than the retention` };
  let image: Buffer | undefined;
  if (p.image !== undefined) {
    image = Buffer.from(p.image, 'base64');
    if (!isJpeg(image)) return { ok: false, reason: 'schema: image: not a base64 JPEG' };
  }
  const event: DoorEvent = {
    eventId: p.eventId.toLowerCase(),
    // Already canonical (UTC with milliseconds, as most controllers send it): kept rather than rebuilt.
    ts: CANONICAL_UTC.test(p.ts) ? p.ts : new Date(ms).toISOString(),
    propertyId: place.propertyId,
    doorId: place.doorId,
    type: p.type,
    receivedAt: isoOf(now),
  };
  if (p.direction) event.direction = p.direction;
  if (p.credential) {
    event.credentialKind = p.credential.kind;
    event.credentialId = p.credential.id;
  }
  if (p.personId) event.personId = p.personId;
  return { ok: true, event, image };
}

let lastMs = NaN;
let lastIso = '';
/** ISO text of a time, reused within the same millisecond (thousands of messages share one). */
function isoOf(d: Date): string {
  const ms = d.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = d.toISOString();
  }
  return lastIso;
}
