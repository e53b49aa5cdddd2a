// Every query on camera_health: the batched idempotent insert of heartbeat and stream-check samples, and lists.
import type { Db, Queryable } from '../db.ts';
import type { CameraHealthSample } from '../../events/index.ts';
import { ensurePartitionsFor } from '../partitions.ts';
import { pageClause, Where } from '../where.ts';

export interface CameraHealthFilter {
  camera?: string;
  kind?: 'heartbeat' | 'stream';
  /** Only failed (true) or only good (false) samples. */
  failed?: boolean;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export class CameraHealthRepository {
  constructor(private readonly db: Db) {}

  /** Inserts a batch in one statement; a replayed sample (same sampleId and ts) is skipped. Returns rows inserted. */
  async insertMany(samples: readonly CameraHealthSample[], q: Queryable = this.db): Promise<number> {
    if (samples.length === 0) return 0;
    await ensurePartitionsFor(
      q,
      this.db,
      'camera_health',
      samples.map((s) => s.ts),
    );
    const col = <K extends keyof CameraHealthSample>(k: K) => samples.map((s) => s[k] ?? null);
    const r = await q.query(
      `INSERT INTO camera_health (sample_id, ts, camera_id, kind, reachable, latency_ms, error_class, error, stream)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::bool[], $6::real[], $7::text[], $8::text[], $9::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        col('sampleId'),
        col('ts'),
        col('cameraId'),
        col('kind'),
        col('reachable'),
        col('latencyMs'),
        col('errorClass'),
        col('error'),
        samples.map((s) => (s.stream ? JSON.stringify(s.stream) : null)),
      ],
    );
    return r.rowCount;
  }

  /** Newest first; filters by camera, kind, failed/good and time range [from, to). */
  async list(f: CameraHealthFilter = {}): Promise<{ total: number; items: CameraHealthSample[] }> {
    const w = new Where()
      .opt('camera_id = ?', f.camera)
      .opt('kind = ?', f.kind)
      .opt('reachable = NOT ?::bool', f.failed)
      .opt('ts >= ?::timestamptz', f.from)
      .opt('ts < ?::timestamptz', f.to);
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM camera_health ${w.clause}`, w.params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM camera_health ${w.clause} ORDER BY ts DESC, sample_id ${pageClause(f)}`,
      w.params,
    );
    return { total, items: r.rows.map(toSample) };
  }
}

function toSample(r: Record<string, any>): CameraHealthSample {
  const s: CameraHealthSample = {
    sampleId: r.sample_id,
    cameraId: r.camera_id,
    ts: new Date(r.ts).toISOString(),
    kind: r.kind,
    reachable: r.reachable,
  };
  if (r.latency_ms !== null) s.latencyMs = r.latency_ms;
  if (r.error_class) s.errorClass = r.error_class;
  if (r.error) s.error = r.error;
  if (r.stream) s.stream = typeof r.stream === 'string' ? JSON.parse(r.stream) : r.stream;
  return s;
}
