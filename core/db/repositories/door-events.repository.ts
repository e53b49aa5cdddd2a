// Every query on door_events: the batched idempotent insert of the intake path and the filtered list of the API.
import type { Db, Queryable } from '../db.ts';
import type { DoorEvent } from '../../events/index.ts';
import { ensurePartitionsFor } from '../partitions.ts';
import { arrayLiteral } from '../array-literal.ts';

export interface DoorEventFilter {
  properties?: string[];
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
  propertyName?: string;
}

export class DoorEventsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Inserts a batch in one statement (arrays through unnest); replayed events are skipped. Returns rows inserted.
   * (One JSON array through json_to_recordset is cheaper in JS but cost PostgreSQL more: 47 % of COPY against 60 %.)
   */
  async insertMany(events: readonly DoorEvent[], q: Queryable = this.db): Promise<number> {
    if (events.length === 0) return 0;
    await ensurePartitionsFor(q, this.db, 'door_events', events.map((e) => e.ts));
    const col = <K extends keyof DoorEvent>(k: K) => arrayLiteral(events.map((e) => e[k]));
    const r = await q.query(
      `INSERT INTO door_events (event_id, ts, property_id, door_id, type, direction, credential_kind, credential_id, person_id, image_path, received_at)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [col('eventId'), col('ts'), col('propertyId'), col('doorId'), col('type'), col('direction'), col('credentialKind'), col('credentialId'), col('personId'), col('imagePath'), col('receivedAt')],
    );
    return r.rowCount;
  }

  async list(f: DoorEventFilter): Promise<{ total: number; items: DoorEventRow[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.properties) add('e.property_id = ANY(?::text[])', f.properties);
    if (f.property) add('e.property_id = ?', f.property);
    if (f.door) add('e.door_id = ?', f.door);
    if (f.type) add('e.type = ?', f.type);
    if (f.from) add('e.ts >= ?::timestamptz', f.from);
    if (f.to) add('e.ts < ?::timestamptz', f.to);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM door_events e ${w}`, params)).rows[0].n;
    const order = f.sort === 'ts' ? 'ASC' : 'DESC';
    const r = await this.db.query<Record<string, any>>(
      `SELECT e.*, d.name AS door_name, p.name AS property_name FROM door_events e
       LEFT JOIN doors d ON d.id = e.door_id LEFT JOIN properties p ON p.id = e.property_id
       ${w} ORDER BY e.ts ${order}, e.event_id LIMIT ${Math.min(f.limit ?? 50, 1000)} OFFSET ${f.offset ?? 0}`,
      params,
    );
    return { total, items: r.rows.map(toDoorEvent) };
  }

  async count(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM door_events')).rows[0].n;
  }
}

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
    propertyName: r.property_name ?? undefined,
  };
}
