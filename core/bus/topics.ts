// Every MQTT topic of Gridwatch, built in this one module, each tied to the schema of its payload.
import { type Static, type TSchema } from '@sinclair/typebox';
import {
  Alert,
  CameraEvent,
  CameraHealthSample,
  CameraStatusChange,
  DoorEventBatch,
  FaceCapture,
  FaceMatch,
  RepairTicket,
  WatchlistChanged,
} from '../events/index.ts';
import { CameraCredentialsChanged } from '../credentials/credentials-changed.ts';
import { FaceEnrolReply, FaceEnrolRequest } from '../events/face-enrol.ts';

/** Prefix of the product's internal topics; door controllers publish outside it (see docs/DOOR-EVENTS.md). */
export const PREFIX = 'gridwatch';

interface TopicDef<S extends TSchema, P extends string> {
  /** Pattern with named segments, e.g. `events/door/{propertyId}/{doorId}`. */
  pattern: P;
  schema: S;
}
const def = <S extends TSchema, P extends string>(pattern: P, schema: S): TopicDef<S, P> => ({ pattern, schema });

export const topics = {
  /** Committed door events, one message per written batch (consumers deduplicate by eventId). */
  doorEvents: def('events/doors', DoorEventBatch),
  cameraEvent: def('events/camera/{cameraId}', CameraEvent),
  healthSample: def('health/{cameraId}', CameraHealthSample),
  cameraStatus: def('status/camera/{cameraId}', CameraStatusChange),
  faceCapture: def('faces/capture/{source}', FaceCapture),
  faceMatch: def('faces/match/{watchlistId}', FaceMatch),
  watchlistChanged: def('faces/watchlists/{watchlistId}', WatchlistChanged),
  /** Enrolment asked of the face service (shared by its workers); answered on faceEnrolReply. */
  faceEnrolRequest: def('faces/enrol/requests/{watchlistId}', FaceEnrolRequest),
  faceEnrolReply: def('faces/enrol/replies/{requestId}', FaceEnrolReply),
  alert: def('alerts/new/{kind}', Alert),
  alertUpdated: def('alerts/updated/{kind}', Alert),
  repairUpdated: def('repairs/{ticketId}', RepairTicket),
  cameraCredentialsChanged: def('cameras/credentials/{cameraId}', CameraCredentialsChanged),
} as const;

export type TopicName = keyof typeof topics;
export type PayloadOf<N extends TopicName> = Static<(typeof topics)[N]['schema']>;

type Params<P extends string> = P extends `${string}{${infer K}}${infer Rest}` ? { [X in K]: string } & Params<Rest> : unknown;
export type ParamsOf<N extends TopicName> = Params<(typeof topics)[N]['pattern']>;

/** Door controllers' contract: `access/{propertyId}/{doorId}/events`. */
export const DOOR_INTAKE_FILTER = 'access/+/+/events';
export function doorIntakeTopic(propertyId: string, doorId: string): string {
  return `access/${propertyId}/${doorId}/events`;
}
/** Parses an intake topic; undefined when it is not one. */
export function parseDoorIntakeTopic(topic: string): { propertyId: string; doorId: string } | undefined {
  const m = /^access\/([^/]+)\/([^/]+)\/events$/.exec(topic);
  return m ? { propertyId: m[1], doorId: m[2] } : undefined;
}

/** MQTT topic for a publish: the pattern with its segments filled in, prefixed. */
export function topicFor<N extends TopicName>(name: N, params: ParamsOf<N>): string {
  const values = params as Record<string, string>;
  const path = topics[name].pattern.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = values[k];
    if (!v || /[/+#]/.test(v)) throw new Error(`topic ${name}: bad segment ${k}=${String(v)}`);
    return v;
  });
  return `${PREFIX}/${path}`;
}

/** MQTT filter matching every topic of a name (all segments wildcarded). */
export function filterFor(name: TopicName): string {
  return `${PREFIX}/${topics[name].pattern.replace(/\{\w+\}/g, '+')}`;
}

/** Which topic name a concrete MQTT topic belongs to. */
export function nameOf(topic: string): TopicName | undefined {
  for (const name of Object.keys(topics) as TopicName[]) {
    const re = new RegExp(`^${filterFor(name).replace(/\+/g, '[^/]+')}$`);
    if (re.test(topic)) return name;
  }
  return undefined;
}
