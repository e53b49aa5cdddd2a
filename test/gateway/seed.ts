// Records for gateway tests: door events at every compound, alerts in both districts and at a compound, dead letters.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/db/db.ts';
import type { Alert, DoorEvent } from '../../core/events/index.ts';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import { DoorEventsRepository } from '../../core/db/repositories/door-events.repository.ts';
import { DeadLettersRepository } from '../../core/db/repositories/dead-letters.repository.ts';

export function doorEvent(propertyId: string, doorId: string, type: DoorEvent['type'], ts = new Date()): DoorEvent {
  return { eventId: randomUUID(), ts: ts.toISOString(), propertyId, doorId, type, receivedAt: ts.toISOString() };
}

export function alert(over: Partial<Alert> & Pick<Alert, 'kind'>): Alert {
  return {
    alertId: randomUUID(),
    ts: new Date().toISOString(),
    severity: 'high',
    state: 'open',
    title: `${over.kind} test`,
    subjectKind: 'door',
    subjectId: 'x',
    place: {},
    evidence: {},
    ...over,
  };
}

export const ALERTS = {
  d1Camera: alert({
    kind: 'camera_offline',
    severity: 'medium',
    subjectKind: 'camera',
    subjectId: 'cam-001',
    place: { district: 'd1', cell: 'd1-cell1' },
  }),
  d2Camera: alert({
    kind: 'camera_offline',
    severity: 'low',
    subjectKind: 'camera',
    subjectId: 'cam-007',
    place: { district: 'd2', cell: 'd2-cell1' },
  }),
  p1Forced: alert({
    kind: 'door_forced',
    severity: 'high',
    subjectId: 'p1-door1',
    propertyId: 'p1',
    place: { district: 'd1', cell: 'd1-cell1' },
  }),
  p3Forced: alert({
    kind: 'door_forced',
    severity: 'critical',
    subjectId: 'p3-door1',
    propertyId: 'p3',
    place: { district: 'd2', cell: 'd2-cell1' },
  }),
};

export async function seed(db: Db): Promise<void> {
  const now = Date.now();
  const events: DoorEvent[] = [];
  for (const [p, d] of [
    ['p1', 'p1-door1'],
    ['p1', 'p1-door2'],
    ['p2', 'p2-door1'],
    ['p3', 'p3-door1'],
  ]) {
    for (let i = 0; i < 5; i++) events.push(doorEvent(p, d, i === 4 ? 'forced_open' : 'granted', new Date(now - (i + 1) * 60_000)));
  }
  await new DoorEventsRepository(db).insertMany(events);
  const alerts = new AlertsRepository(db);
  for (const a of Object.values(ALERTS)) await alerts.insert(a);
  await new DeadLettersRepository(db).insertMany([
    { source: 'door-intake', topic: 'access/p1/nope/events', reason: 'unknown door', payload: '{}' },
  ]);
}
