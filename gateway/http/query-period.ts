// The period a report or supervision query covers: [from, to), by default the 7 days up to now, and the 400 for a
// period that ends before it starts.
const DAY = 86_400_000;

export interface QueryPeriod {
  from: Date;
  to: Date;
  now: Date;
}

export function queryPeriod(q: { from?: string; to?: string }, now: Date): QueryPeriod {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY);
  return { from, to, now };
}

export const BAD_PERIOD = { error: 'Bad Request', field: 'querystring.from', message: 'querystring.from must be before querystring.to' };
