// The audit of camera video watched through the gateway: who opened which camera live and who played which clip.
import type { Db } from '../db.ts';

export interface MediaAuditEntry {
  id: number;
  ts: string;
  actor: string;
  action: 'live' | 'clip';
  cameraId: string | null;
  alertId: string | null;
  detail: Record<string, unknown>;
}

export class MediaAuditRepository {
  constructor(private readonly db: Db) {}

  async record(e: {
    actor: string;
    action: 'live' | 'clip';
    cameraId?: string;
    alertId?: string;
    detail?: Record<string, unknown>;
  }): Promise<void> {
    await this.db.query(`INSERT INTO media_audit (actor, action, camera_id, alert_id, detail) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
      e.actor,
      e.action,
      e.cameraId ?? null,
      e.alertId ?? null,
      JSON.stringify(e.detail ?? {}),
    ]);
  }

  async list(f: { alertId?: string; cameraId?: string; limit?: number } = {}): Promise<MediaAuditEntry[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM media_audit WHERE ($1::uuid IS NULL OR alert_id = $1::uuid) AND ($2::text IS NULL OR camera_id = $2)
       ORDER BY ts DESC, id DESC LIMIT $3`,
      [f.alertId ?? null, f.cameraId ?? null, Math.min(f.limit ?? 100, 1000)],
    );
    return r.rows.map((x) => ({
      id: Number(x.id),
      ts: new Date(x.ts).toISOString(),
      actor: x.actor,
      action: x.action,
      cameraId: x.camera_id,
      alertId: x.alert_id,
      detail: typeof x.detail === 'string' ? JSON.parse(x.detail) : x.detail,
    }));
  }
}
