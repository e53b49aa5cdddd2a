// Every query on door_events: the batched idempotent insert of the intake path and the filtered list of the API.
import type { Db, Queryable } from '../db.ts';
import type { DoorEvent } from '../../events/index.ts';
import { ensurePartitionsFor } from '../partitions.ts';
import { arrayLiteral } from '../array-literal.ts';
import type { Scope } from '../../auth/scope.ts';
import { pageClause, scopeWhere, Where } from '../where.ts';

export interface DoorEventFilter {
  property?: string;
  door?: string;
  type?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
  sort?: 'ts' | '-ts';
}

export interface DoorEventRow extends DoorEvent {
  doorName?: string;
  doorNameZh?: string;
  propertyName?: string;
  propertyNameZh?: string;
}

export class DoorEventsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Inserts a batch in one statement (arrays through unnest); replayed events are skipped. Returns rows inserted.
   * (One JSON array through json_to_recordset is cheaper in JS but cost PostgreSQL more: 47 % of COPY against 60 %.)
   */
  async insertMany(events: readonly DoorEvent[], q: Queryable = this.db): Promise<number> {
    if (events.length === 0) return 0;
    await ensurePartitionsFor(
      q,
      this.db,
      'door_events',
      events.map((e) => e.ts),
    );
    const col = <K extends keyof DoorEvent>(k: K) => arrayLiteral(events.map((e) => e[k]));
    const r = await q.query(
      `INSERT INTO door_events (event_id, ts, property_id, door_id, type, direction, credential_kind, credential_id, person_id, image_path, received_at)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        col('eventId'),
        col('ts'),
        col('propertyId'),
        col('doorId'),
        col('type'),
        col('direction'),
        col('credentialKind'),
        col('credentialId'),
        col('personId'),
        col('imagePath'),
        col('receivedAt'),
      ],
    );
    return r.rowCount;
  }

  /** Newest first (or oldest with sort 'ts'), limited to the user's scope. */
  async list(f: DoorEventFilter, scope: Scope = {}): Promise<{ total: number; items: DoorEventRow[] }> {
    const w = scopeWhere(new Where(), scope, 'doorEvents')
      .opt('e.property_id = ?', f.property)
      .opt('e.door_id = ?', f.door)
      .opt('e.type = ?', f.type)
      .opt('e.ts >= ?::timestamptz', f.from)
      .opt('e.ts < ?::timestamptz', f.to);
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM door_events e ${w.clause}`, w.params)).rows[0].n;
    const order = f.sort === 'ts' ? 'ASC' : 'DESC';
    const r = await this.db.query<Record<string, any>>(
      `${SELECT} ${w.clause} ORDER BY e.ts ${order}, e.event_id ${pageClause(f)}`,
      w.params,
    );
    return { total, items: r.rows.map(toDoorEvent) };
  }

  /** One event by id and its time to the millisecond (events are stored by time); undefined when unknown or outside `scope`. */
  async get(eventId: string, ts: string, scope: Scope = {}): Promise<DoorEventRow | undefined> {
    const at = new Date(ts).getTime();
    const w = scopeWhere(new Where(), scope, 'doorEvents')
      .add('e.ts >= ?::timestamptz', new Date(at).toISOString())
      .add('e.ts < ?::timestamptz', new Date(at + 1).toISOString())
      .add('e.event_id = ?::uuid', eventId);
    const r = await this.db.query<Record<string, any>>(`${SELECT} ${w.clause}`, w.params);
    return r.rows[0] ? toDoorEvent(r.rows[0]) : undefined;
  }

  async count(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM door_events')).rows[0].n;
  }
}

const SELECT = `SELECT e.*, d.name AS door_name, d.name_zh AS door_name_zh, p.name AS property_name, p.name_zh AS property_name_zh FROM door_events e
  LEFT JOIN doors d ON d.id = e.door_id LEFT JOIN properties p ON p.id = e.property_id`;

function toDoorEvent(r: Record<string, any>): DoorEventRow {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
  return {
    eventId: r.event_id,
    ts: iso(r.ts),
    propertyId: r.property_id,
    doorId: r.door_id,
    type: r.type,
    direction: r.direction ?? undefined,
    credentialKind: r.credential_kind ?? undefined,
    credentialId: r.credential_id ?? undefined,
    personId: r.person_id ?? undefined,
    imagePath: r.image_path ?? undefined,
    receivedAt: iso(r.received_at),
    doorName: r.door_name ?? undefined,
    doorNameZh: r.door_name_zh ?? undefined,
    propertyName: r.property_name ?? undefined,
    propertyNameZh: r.property_name_zh ?? undefined,
  };
}
