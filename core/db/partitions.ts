// Remembers which days already have a partition, so the hot write path calls gw_ensure_partitions only
// for a day it has not seen (a no-op function on TimescaleDB, where chunks are automatic).
import type { Queryable } from './db.ts';

const DAY = 86_400_000;
const known = new WeakMap<object, Set<string>>();

export async function ensurePartitionsFor(q: Queryable, owner: object, table: string, times: readonly (string | Date)[]): Promise<void> {
  let seen = known.get(owner);
  if (!seen) known.set(owner, (seen = new Set()));
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    const ms = typeof t === 'string' ? Date.parse(t) : t.getTime();
    const key = `${table}:${Math.floor(ms / DAY)}`;
    if (seen.has(key)) continue;
    if (ms < lo) lo = ms;
    if (ms > hi) hi = ms;
  }
  if (lo === Infinity) return;
  await q.query('SELECT gw_ensure_partitions($1, $2, $3)', [table, new Date(lo).toISOString(), new Date(hi).toISOString()]);
  for (let d = Math.floor(lo / DAY); d <= Math.floor(hi / DAY); d++) seen.add(`${table}:${d}`);
}
