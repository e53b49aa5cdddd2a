// The audit log of face data: who viewed which face match (list, detail, crop) and who enrolled or removed whom.
import type { Db } from '../db.ts';

export interface AuditEntry {
  id: number;
  ts: string;
  actor: string;
  action: string;
  matchId?: string;
  detail: Record<string, unknown>;
}

export class FaceAuditRepository {
  constructor(private readonly db: Db) {}

  /** One row per match viewed (or one row without a match for other actions). */
  async record(actor: string, action: string, matchIds: readonly string[], detail: Record<string, unknown> = {}): Promise<void> {
    const ids = matchIds.length ? [...matchIds] : [null];
    await this.db.query(
      `INSERT INTO face_audit (actor, action, match_id, detail) SELECT $1, $2, m, $4::jsonb FROM unnest($3::uuid[]) AS m`,
      [actor, action, ids, JSON.stringify(detail)],
    );
  }

  async list(f: { matchId?: string; actor?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const params: unknown[] = [];
    const w: string[] = [];
    if (f.matchId) {
      params.push(f.matchId);
      w.push(`match_id::text = $${params.length}`);
    }
    if (f.actor) {
      params.push(f.actor);
      w.push(`actor = $${params.length}`);
    }
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM face_audit ${w.length ? `WHERE ${w.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT ${Math.min(f.limit ?? 100, 1000)}`,
      params,
    );
    return r.rows.map((x) => ({
      id: Number(x.id),
      ts: new Date(x.ts).toISOString(),
      actor: x.actor,
      action: x.action,
      matchId: x.match_id ?? undefined,
      detail: typeof x.detail === 'string' ? JSON.parse(x.detail) : x.detail,
    }));
  }
}
