// One alert model for everything that asks a person to look: outages, escalations, doors, faces, coverage gaps.
import { Type, type Static } from '@sinclair/typebox';
import { GridPlace, Literals, Timestamp, Uuid } from './common.ts';

export const ALERT_KINDS = [
  'camera_offline',
  'repair_overdue',
  'repair_escalated',
  'door_forced',
  'door_held_open',
  'door_tamper',
  'door_unwatched',
  'watchlist_match',
  'credential_mismatch',
  'coverage_gap',
  'video_quality',
  'camera_tamper',
] as const;
export const AlertKind = Literals(ALERT_KINDS);
export type AlertKind = Static<typeof AlertKind>;

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const Severity = Literals(SEVERITIES);
export type Severity = Static<typeof Severity>;

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export const AlertState = Literals(ALERT_STATES);
export type AlertState = Static<typeof AlertState>;

export const Alert = Type.Object(
  {
    alertId: Uuid,
    ts: Timestamp,
    kind: AlertKind,
    severity: Severity,
    state: AlertState,
    title: Type.String({ description: 'In English; titleArgs lets a client word it in its own language' }),
    titleArgs: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
        description: "The values in the title (camera, door, person, cause…), for a client's own wording of its kind",
      }),
    ),
    subjectKind: Literals(['camera', 'door', 'property', 'cell', 'ticket', 'person'] as const),
    subjectId: Type.String(),
    place: GridPlace,
    propertyId: Type.Optional(Type.String()),
    evidence: Type.Record(Type.String(), Type.Unknown(), { description: 'Snapshots, distances, ticket ids…' }),
    dedupKey: Type.Optional(Type.String({ description: 'At most one alert per key: repeated raises are no-ops' })),
  },
  { $id: 'Alert' },
);
export type Alert = Static<typeof Alert>;
