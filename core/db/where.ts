// The one query toolkit of the repositories: a WHERE builder that numbers its own placeholders, the one scope
// filter (what each user may see, per table, decided in one table of rules) and the page clause.
import type { Scope } from '../auth/scope.ts';

/** Conditions joined by AND, with the parameters they bind; `?` in a condition is that condition's one value. */
export class Where {
  private readonly parts: string[] = [];
  /** `params` may already hold values the rest of the statement uses ($1…); new ones are numbered after them. */
  constructor(readonly params: unknown[] = []) {}

  /** Adds `sql` with every `?` bound to `value` (so `(a ILIKE ? OR b ILIKE ?)` binds one pattern twice). */
  add(sql: string, value: unknown): this {
    this.params.push(value);
    this.parts.push(sql.replaceAll('?', `$${this.params.length}`));
    return this;
  }

  /** Adds `sql` when `value` is given: not undefined, null or '' (an empty filter field filters nothing; false does). */
  opt(sql: string, value: unknown): this {
    return value === undefined || value === null || value === '' ? this : this.add(sql, value);
  }

  /** Adds a condition that binds nothing. */
  raw(sql: string): this {
    this.parts.push(sql);
    return this;
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  /** The conditions joined by AND (`true` when there are none), for a statement that writes its own WHERE. */
  get conditions(): string {
    return this.parts.length ? this.parts.join(' AND ') : 'true';
  }

  /** `WHERE …`, or nothing when there are no conditions. */
  get clause(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

/**
 * What a scoped user may see of one table: for each axis, the condition on the user's ids (`?` is the id array), or
 * `false` when users scoped on that axis see none of these rows.
 */
export interface ScopeRule {
  districts: string | false;
  properties: string | false;
}

/**
 * Every table the API shows, and who sees which rows. This is the security boundary between users: each rule is
 * written once here and tested once per role (where.spec.ts).
 */
export const SCOPE_RULES = {
  alerts: { districts: 'district_id = ANY(?::text[])', properties: 'property_id = ANY(?::text[])' },
  /** Cameras belong to districts; a property manager sees the cameras of their compounds' cells. */
  cameras: {
    districts: 'district_id = ANY(?::text[])',
    properties: 'cell_id IN (SELECT cell_id FROM properties WHERE id = ANY(?::text[]))',
  },
  /** Coverage and repairs are district business: property managers see none. */
  coverage: { districts: '(district_id = ANY(?::text[]) OR unit_id = ANY(?::text[]))', properties: false },
  repairs: { districts: 't.district_id = ANY(?::text[])', properties: false },
  /** `k` key locations and `m` maintenance units: supervision, district business like repairs. */
  keyLocations: { districts: 'k.district_id = ANY(?::text[])', properties: false },
  maintenanceUnits: { districts: 'm.district_id = ANY(?::text[])', properties: false },
  /** `d` doors joined to `p` properties. */
  doors: { districts: 'p.district_id = ANY(?::text[])', properties: 'd.property_id = ANY(?::text[])' },
  /** Door events carry their compound, not a district: a district user sees the events of the compounds in it. */
  doorEvents: {
    districts: 'e.property_id IN (SELECT id FROM properties WHERE district_id = ANY(?::text[]))',
    properties: 'e.property_id = ANY(?::text[])',
  },
  /** `u` grid units with `t.district_id` the district above each; a property manager's map is their compounds' cells. */
  grid: {
    districts: 't.district_id = ANY(?::text[])',
    properties: 'u.id IN (SELECT cell_id FROM properties WHERE id = ANY(?::text[]))',
  },
  /** `w` watch lists: a district user sees their districts' lists and the city's. */
  watchlists: { districts: "(w.district_id = ANY(?::text[]) OR w.scope_kind = 'city')", properties: 'w.property_id = ANY(?::text[])' },
  /** `m` matches of `w` lists: a district user sees their districts' lists' matches and the city lists' matches in their districts. */
  faceMatches: {
    districts: "(w.district_id = ANY(?::text[]) OR (w.scope_kind = 'city' AND m.district_id = ANY(?::text[])))",
    properties: 'w.property_id = ANY(?::text[])',
  },
} as const satisfies Record<string, ScopeRule>;

export type ScopedTable = keyof typeof SCOPE_RULES;

/** Adds to `where` what limits `table` to the user's `scope` (nothing for an unrestricted user). */
export function scopeWhere(where: Where, scope: Scope, table: ScopedTable): Where {
  const rule: ScopeRule = SCOPE_RULES[table];
  for (const axis of ['properties', 'districts'] as const) {
    const ids = scope[axis];
    if (!ids) continue;
    const sql = rule[axis];
    if (sql === false) where.raw('false');
    else where.add(sql, ids);
  }
  return where;
}

/** `LIMIT … OFFSET …` from a page filter, the limit capped at `max`. */
export function pageClause(f: { limit?: number; offset?: number }, max = 1000): string {
  const limit = Math.max(0, Math.min(Math.trunc(f.limit ?? 50), max));
  const offset = Math.max(0, Math.trunc(f.offset ?? 0));
  return `LIMIT ${limit} OFFSET ${offset}`;
}
