import { describe, expect, it } from 'vitest';
import { scopeOf, type AuthUser } from '../auth/scope.ts';
import { pageClause, SCOPE_RULES, scopeWhere, Where, type ScopedTable } from './where.ts';

const user = (role: AuthUser['role'], districts: string[] = [], properties: string[] = []): AuthUser => ({
  id: 1,
  username: role,
  role,
  districts,
  properties,
});

describe('Where', () => {
  it('when conditions are added after parameters the statement already uses, then they are numbered after them', () => {
    const w = new Where(['now']).add('a = ?', 1).opt('b = ?', undefined).add('(c ILIKE ? OR d ILIKE ?)', '%x%').raw('e IS NULL');
    expect(w.clause).toBe('WHERE a = $2 AND (c ILIKE $3 OR d ILIKE $3) AND e IS NULL');
    expect(w.params).toEqual(['now', 1, '%x%']);
  });

  it('when nothing is added, then there is no WHERE and the conditions are true', () => {
    const w = new Where();
    expect([w.clause, w.conditions, w.empty]).toEqual(['', 'true', true]);
  });
});

describe('pageClause', () => {
  it('when the limit is over the cap or missing, then it is capped or 50; negative values become 0', () => {
    expect(pageClause({ limit: 5000, offset: 20 })).toBe('LIMIT 1000 OFFSET 20');
    expect(pageClause({}, 500)).toBe('LIMIT 50 OFFSET 0');
    expect(pageClause({ limit: -1, offset: -5 })).toBe('LIMIT 0 OFFSET 0');
  });
});

describe('scopeWhere, every role on every table', () => {
  const tables = Object.keys(SCOPE_RULES) as ScopedTable[];
  const scoped = (u: AuthUser, t: ScopedTable) => scopeWhere(new Where(), scopeOf(u), t);

  it('when the user is an admin or a city-wide monitor or supervisor, then no table is limited', () => {
    for (const u of [user('admin', ['d1'], ['p1']), user('monitor'), user('supervisor')])
      for (const t of tables) expect(scoped(u, t).empty, `${u.role} ${t}`).toBe(true);
  });

  it('when the user is a district monitor or supervisor, then every table is limited to their districts', () => {
    for (const u of [user('monitor', ['d1', 'd2']), user('supervisor', ['d1', 'd2'])])
      for (const t of tables) {
        const w = scoped(u, t);
        expect(w.params, `${u.role} ${t}`).toEqual([['d1', 'd2']]);
        expect(w.clause).toBe(`WHERE ${SCOPE_RULES[t].districts.replaceAll('?', '$1')}`);
      }
  });

  it('when the user is a property manager, then tables with a property rule are limited to their compounds, the others show nothing', () => {
    const u = user('property_manager', ['d1'], ['p1']);
    for (const t of tables) {
      const w = scoped(u, t);
      const rule = SCOPE_RULES[t].properties;
      if (rule === false) {
        expect(w.clause, t).toBe('WHERE false');
        expect(w.params).toEqual([]);
      } else {
        expect(w.clause, t).toBe(`WHERE ${rule.replaceAll('?', '$1')}`);
        expect(w.params).toEqual([['p1']]);
      }
    }
    expect(scoped(u, 'repairs').clause).toBe('WHERE false');
    expect(scoped(u, 'coverage').clause).toBe('WHERE false');
  });

  it('when a property manager has no compounds, then they see no rows (an empty list matches nothing)', () => {
    const w = scoped(user('property_manager'), 'alerts');
    expect(w.params).toEqual([[]]);
  });
});
