// The bus outbox (migrations/common/308): messages stored in the transaction that decided them, deleted once sent.
import type { Db, Queryable } from '../db.ts';
import type { TopicName } from '../../bus/topics.ts';

export interface OutboxEntry {
  topic: TopicName;
  params: Record<string, string>;
  /** Absent: the sender builds it when sending (see the migration). */
  payload?: unknown;
}

export interface StoredOutboxEntry extends OutboxEntry {
  id: string;
}

export class OutboxRepository {
  constructor(private readonly db: Db) {}

  /** Stores entries in the caller's transaction, owned by their writer for `holdMs`; returns their ids. */
  async add(q: Queryable, entries: readonly OutboxEntry[], holdMs: number): Promise<string[]> {
    if (entries.length === 0) return [];
    const r = await q.query<{ id: string }>(
      `INSERT INTO bus_outbox (topic, params, payload, not_before)
         SELECT e.topic, e.params, e.payload, now() + make_interval(secs => $2::float8 / 1000)
           FROM jsonb_to_recordset($1::jsonb) AS e(topic text, params jsonb, payload jsonb)
         RETURNING id::text`,
      [JSON.stringify(entries.map((e) => ({ topic: e.topic, params: e.params, payload: e.payload ?? null }))), holdMs],
    );
    return r.rows.map((x) => x.id);
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('DELETE FROM bus_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  /**
   * Claims up to `limit` entries whose writer has not sent them in time (or whose earlier claimer died), for
   * `holdMs`; several relays take different rows (SKIP LOCKED).
   */
  async claimDue(limit: number, holdMs: number): Promise<StoredOutboxEntry[]> {
    const r = await this.db.query<{ id: string; topic: TopicName; params: Record<string, string>; payload: unknown }>(
      `UPDATE bus_outbox SET not_before = now() + make_interval(secs => $2::float8 / 1000)
        WHERE id IN (SELECT id FROM bus_outbox WHERE not_before <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id::text, topic, params, payload`,
      [limit, holdMs],
    );
    return r.rows
      .map((x) => ({ id: x.id, topic: x.topic, params: x.params, ...(x.payload === null ? {} : { payload: x.payload }) }))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }
}
