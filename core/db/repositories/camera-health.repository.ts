// Queries on camera_health (heartbeats and stream checks). The gateway's read of one camera's timeline is here;
// ingest's batched insert of samples belongs here too.
import type { Db, Queryable } from '../db.ts';
import type { CameraHealthSample } from '../../events/index.ts';
import { ensurePartitionsFor } from '../partitions.ts';

export interface HealthPointRow {
  ts: string;
  kind: string;
  reachable: boolean;
  latencyMs: number | null;
  errorClass: string | null;
}

export class CameraHealthRepository {
  constructor(private readonly db: Db) {}

  /** Inserts a batch in one statement; replayed samples are skipped. Returns rows inserted. */
  async insertMany(samples: readonly CameraHealthSample[], q: Queryable = this.db): Promise<number> {
    if (samples.length === 0) return 0;
    await ensurePartitionsFor(q, this.db, 'camera_health', samples.map((s) => s.ts));
    const col = <K extends keyof CameraHealthSample>(k: K) => samples.map((s) => s[k] ?? null);
    const r = await q.query(
      `INSERT INTO camera_health (sample_id, ts, camera_id, kind, reachable, latency_ms, error_class, error, stream)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::bool[], $6::real[], $7::text[], $8::text[], $9::jsonb[])
       ON CONFLICT DO NOTHING`,
      [col('sampleId'), col('ts'), col('cameraId'), col('kind'), col('reachable'), col('latencyMs'), col('errorClass'), col('error'), samples.map((s) => (s.stream ? JSON.stringify(s.stream) : null))],
    );
    return r.rowCount;
  }

  /** Samples of one camera in [from, to), oldest first, at most `limit` (the newest are kept when there are more). */
  async timeline(cameraId: string, from: string, to: string, limit = 2000): Promise<HealthPointRow[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM (SELECT ts, kind, reachable, latency_ms, error_class FROM camera_health
                      WHERE camera_id = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz ORDER BY ts DESC LIMIT $4) s
       ORDER BY ts`,
      [cameraId, from, to, limit],
    );
    return r.rows.map((x) => ({
      ts: new Date(x.ts).toISOString(),
      kind: x.kind,
      reachable: x.reachable,
      latencyMs: x.latency_ms ?? null,
      errorClass: x.error_class ?? null,
    }));
  }
}
