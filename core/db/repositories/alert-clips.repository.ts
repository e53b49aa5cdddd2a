// Event clips kept around alerts (table alert_clips): one row per alert and camera, recording until the seconds
// after the event have passed, then ready (a file under DATA_DIR/clips) or failed (with why).
import type { Db } from '../db.ts';

export interface AlertClip {
  alertId: string;
  cameraId: string;
  state: 'recording' | 'ready' | 'failed';
  from: string;
  to: string;
  file: string | null;
  bytes: number | null;
  error: string | null;
  createdAt: string;
}

const row = (x: Record<string, any>): AlertClip => ({
  alertId: x.alert_id,
  cameraId: x.camera_id,
  state: x.state,
  from: new Date(x.from_ts).toISOString(),
  to: new Date(x.to_ts).toISOString(),
  file: x.file,
  bytes: x.bytes === null ? null : Number(x.bytes),
  error: x.error,
  createdAt: new Date(x.created_at).toISOString(),
});

export class AlertClipsRepository {
  constructor(private readonly db: Db) {}

  /** Claims the clip of an alert and camera; false when it is already claimed (another gateway, a redelivery). */
  async start(alertId: string, cameraId: string, from: Date, to: Date): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO alert_clips (alert_id, camera_id, from_ts, to_ts) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [alertId, cameraId, from.toISOString(), to.toISOString()],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async ready(alertId: string, cameraId: string, c: { file: string; bytes: number; from: Date; to: Date }): Promise<void> {
    await this.db.query(
      `UPDATE alert_clips SET state = 'ready', file = $3, bytes = $4, from_ts = $5, to_ts = $6, error = NULL WHERE alert_id = $1 AND camera_id = $2`,
      [alertId, cameraId, c.file, c.bytes, c.from.toISOString(), c.to.toISOString()],
    );
  }

  async failed(alertId: string, cameraId: string, error: string): Promise<void> {
    await this.db.query(`UPDATE alert_clips SET state = 'failed', error = $3 WHERE alert_id = $1 AND camera_id = $2`, [
      alertId,
      cameraId,
      error.slice(0, 500),
    ]);
  }

  async forAlert(alertId: string): Promise<AlertClip[]> {
    const r = await this.db.query<Record<string, any>>(`SELECT * FROM alert_clips WHERE alert_id = $1 ORDER BY camera_id`, [alertId]);
    return r.rows.map(row);
  }

  async get(alertId: string, cameraId: string): Promise<AlertClip | undefined> {
    const r = await this.db.query<Record<string, any>>(`SELECT * FROM alert_clips WHERE alert_id = $1 AND camera_id = $2`, [
      alertId,
      cameraId,
    ]);
    return r.rows[0] ? row(r.rows[0]) : undefined;
  }

  /** Deletes the rows created before `cutoff` and answers their files (for the caller to remove). */
  async expire(cutoff: Date): Promise<string[]> {
    const r = await this.db.query<{ file: string | null }>(`DELETE FROM alert_clips WHERE created_at < $1 RETURNING file`, [
      cutoff.toISOString(),
    ]);
    return r.rows.map((x) => x.file).filter((f): f is string => !!f);
  }
}
