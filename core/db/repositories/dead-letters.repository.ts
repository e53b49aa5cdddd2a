// Every query on dead_letters: input we could not accept, with the reason and the (truncated) raw payload.
import type { Db } from '../db.ts';

export const DEAD_LETTER_PAYLOAD_MAX = 4096;

export interface DeadLetter {
  source: string;
  topic?: string;
  reason: string;
  payload: Buffer | string;
}

export interface DeadLetterRow {
  id: number;
  ts: string;
  source: string;
  topic: string | null;
  reason: string;
  payload: string | null;
  size: number;
}

export class DeadLettersRepository {
  constructor(private readonly db: Db) {}

  async insertMany(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const text = letters.map((l) => {
      const buf = typeof l.payload === 'string' ? Buffer.from(l.payload) : l.payload;
      // Keep it printable and bounded: invalid UTF-8 and NUL bytes are replaced, long payloads cut.
      return buf.subarray(0, DEAD_LETTER_PAYLOAD_MAX).toString('utf8').replaceAll('\u0000', '\uFFFD');
    });
    await this.db.query(
      `INSERT INTO dead_letters (source, topic, reason, payload, size)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[])`,
      [letters.map((l) => l.source), letters.map((l) => l.topic ?? null), letters.map((l) => l.reason), text, letters.map((l) => (typeof l.payload === 'string' ? Buffer.byteLength(l.payload) : l.payload.length))],
    );
  }

  async list(opts: { limit?: number; offset?: number; source?: string } = {}): Promise<{ total: number; items: DeadLetterRow[] }> {
    const params: unknown[] = [];
    let w = '';
    if (opts.source) {
      params.push(opts.source);
      w = 'WHERE source = $1';
    }
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters ${w}`, params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM dead_letters ${w} ORDER BY id DESC LIMIT ${Math.min(opts.limit ?? 50, 1000)} OFFSET ${opts.offset ?? 0}`,
      params,
    );
    return { total, items: r.rows.map((x) => ({ ...x, ts: new Date(x.ts).toISOString() }) as DeadLetterRow) };
  }
}
