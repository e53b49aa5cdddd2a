// Every query on camera_events: the batched idempotent insert of normalised ONVIF events, and the filtered list.
import type { Db, Queryable } from '../db.ts';
import type { CameraEvent } from '../../events/index.ts';
import { ensurePartitionsFor } from '../partitions.ts';
import { pageClause, Where } from '../where.ts';

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
    await ensurePartitionsFor(
      q,
      this.db,
      'camera_events',
      events.map((e) => e.ts),
    );
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
    const w = new Where()
      .opt('camera_id = ?', f.camera)
      .opt('kind = ?', f.kind)
      .opt('ts >= ?::timestamptz', f.from)
      .opt('ts < ?::timestamptz', f.to);
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM camera_events ${w.clause}`, w.params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM camera_events ${w.clause} ORDER BY ts DESC, event_id ${pageClause(f)}`,
      w.params,
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
