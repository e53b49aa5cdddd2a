// Every query on dead_letters: input we could not accept, with the reason and the (truncated) raw payload.
// One row per distinct message (source, topic, full payload): repeats raise its count, redeliveries do not.
import { createHash } from 'node:crypto';
import type { Db } from '../db.ts';
import { pageClause, Where } from '../where.ts';

export const DEAD_LETTER_PAYLOAD_MAX = 4096;

export interface DeadLetter {
  source: string;
  topic?: string;
  reason: string;
  payload: Buffer | string;
  /** The broker's second delivery of a message already handled (MQTT DUP): stored once, not counted again. */
  redelivered?: boolean;
}

const storable = (s: string) => s.replaceAll('\u0000', '\uFFFD');

/** "unknown_door: p1/nope" → "unknown_door": the class the intake counts by and the dashboard charts. */
export function reasonClass(reason: string): string {
  return reason.split(':', 1)[0];
}

export interface DeadLetterRow {
  id: number;
  ts: string;
  source: string;
  topic: string | null;
  reason: string;
  reasonClass: string;
  payload: string | null;
  size: number;
  /** Bytes of the payload kept (it is cut at DEAD_LETTER_PAYLOAD_MAX). */
  storedBytes: number;
  /** Times this exact message arrived (redeliveries not counted). */
  occurrences: number;
  lastTs: string;
}

export class DeadLettersRepository {
  constructor(private readonly db: Db) {}

  async insertMany(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    // Folded by fingerprint first: one statement may not touch the same row twice.
    const rows = new Map<string, { l: DeadLetter; buf: Buffer; count: number }>();
    for (const l of letters) {
      const buf = typeof l.payload === 'string' ? Buffer.from(l.payload) : l.payload;
      const fp = createHash('sha256')
        .update(`${l.source}\0${l.topic ?? ''}\0`)
        .update(buf)
        .digest('base64url');
      const row = rows.get(fp) ?? rows.set(fp, { l, buf, count: 0 }).get(fp)!;
      row.count += l.redelivered ? 0 : 1;
    }
    const list = [...rows.entries()];
    // Keep it printable and bounded: invalid UTF-8 and NUL bytes are replaced, long payloads cut. The reason and topic
    // too: a parser's message quotes the input ("Unexpected token '\0'…"), and PostgreSQL text cannot hold NUL.
    const text = list.map(([, r]) => storable(r.buf.subarray(0, DEAD_LETTER_PAYLOAD_MAX).toString('utf8')));
    // Known messages get their count raised (not for a redelivery), new ones a row. The dead-letter writer runs
    // one batch at a time, so no other statement inserts the same fingerprint in between.
    await this.db.query(
      `WITH x AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[]) AS x(f, s, t, r, p, n, c)),
       known AS (
         UPDATE dead_letters d SET occurrences = d.occurrences + x.c, last_ts = CASE WHEN x.c > 0 THEN now() ELSE d.last_ts END
         FROM x WHERE d.fingerprint = x.f RETURNING d.fingerprint)
       INSERT INTO dead_letters (fingerprint, source, topic, reason, payload, size, occurrences)
       SELECT f, s, t, r, p, n, greatest(c, 1) FROM x WHERE f NOT IN (SELECT fingerprint FROM known)
       ON CONFLICT (fingerprint) DO NOTHING`,
      [
        list.map(([f]) => f),
        list.map(([, r]) => r.l.source),
        list.map(([, r]) => (r.l.topic === undefined ? null : storable(r.l.topic))),
        list.map(([, r]) => storable(r.l.reason)),
        text,
        list.map(([, r]) => r.buf.length),
        list.map(([, r]) => r.count),
      ],
    );
  }

  /** Every rejected arrival, repeats included (for the metric). */
  async occurrences(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT coalesce(sum(occurrences), 0)::int AS n FROM dead_letters')).rows[0].n;
  }

  async list(opts: { limit?: number; offset?: number; source?: string } = {}): Promise<{ total: number; items: DeadLetterRow[] }> {
    const w = new Where().opt('source = ?', opts.source);
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters ${w.clause}`, w.params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT id, ts, source, topic, reason, payload, size, occurrences, last_ts FROM dead_letters ${w.clause} ORDER BY last_ts DESC, id DESC ${pageClause(opts)}`,
      w.params,
    );
    const items = r.rows.map(
      ({ last_ts: last, ...x }) =>
        ({
          ...x,
          ts: new Date(x.ts).toISOString(),
          lastTs: new Date(last).toISOString(),
          reasonClass: reasonClass(x.reason),
          storedBytes: Math.min(x.size, DEAD_LETTER_PAYLOAD_MAX),
        }) as DeadLetterRow,
    );
    return { total, items };
  }
}
