// Every query on camera_events: the batched idempotent insert of normalised ONVIF events, and the filtered list.
import type { Db, Queryable } from '../db.ts';
import type { CameraEvent } from '../../events/index.ts';
import { ensurePartitionsFor } from '../partitions.ts';

export interface CameraEventFilter {
  camera?: string;
  kind?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export class CameraEventsRepository {
  constructor(private readonly db: Db) {}

  /** Inserts a batch in one statement; a replayed event (same eventId and ts) is skipped. Returns rows inserted. */
  async insertMany(events: readonly CameraEvent[], q: Queryable = this.db): Promise<number> {
    if (events.length === 0) return 0;
    await ensurePartitionsFor(q, this.db, 'camera_events', events.map((e) => e.ts));
    const col = <K extends keyof CameraEvent>(k: K) => events.map((e) => e[k] ?? null);
    const r = await q.query(
      `INSERT INTO camera_events (event_id, ts, camera_id, kind, topic, snapshot_path)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT DO NOTHING`,
      [col('eventId'), col('ts'), col('cameraId'), col('kind'), col('topic'), col('snapshotPath')],
    );
    return r.rowCount;
  }

  /** Newest first; filters by camera, kind and time range [from, to); `{ total, items }` for pagination. */
  async list(f: CameraEventFilter = {}): Promise<{ total: number; items: CameraEvent[] }> {
    const params: unknown[] = [];
    const w: string[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      w.push(sql.replace('?', `$${params.length}`));
    };
    if (f.camera) add('camera_id = ?', f.camera);
    if (f.kind) add('kind = ?', f.kind);
    if (f.from) add('ts >= ?::timestamptz', f.from);
    if (f.to) add('ts < ?::timestamptz', f.to);
    const where = w.length ? `WHERE ${w.join(' AND ')}` : '';
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM camera_events ${where}`, params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM camera_events ${where} ORDER BY ts DESC, event_id LIMIT ${Math.min(f.limit ?? 50, 1000)} OFFSET ${f.offset ?? 0}`,
      params,
    );
    return {
      total,
      items: r.rows.map((x) => {
        const e: CameraEvent = { eventId: x.event_id, cameraId: x.camera_id, ts: new Date(x.ts).toISOString(), kind: x.kind };
        if (x.topic) e.topic = x.topic;
        if (x.snapshot_path) e.snapshotPath = x.snapshot_path;
        return e;
      }),
    };
  }
}
