// Reads of the grid hierarchy for the API and the dashboard's map: units with their district and polygon.
import type { Db } from '../db.ts';
import type { Scope } from '../../auth/scope.ts';
import { scopeWhere, Where } from '../where.ts';

export interface GridUnitView {
  id: string;
  level: string;
  parentId: string | null;
  districtId: string | null;
  name: string;
  nameZh: string | null;
  geom: { type: 'Polygon'; coordinates: number[][][] } | null;
}

export class GridRepository {
  constructor(private readonly db: Db) {}

  /** Units of one level (all when omitted), each with the district above it, limited to the scope. */
  async units(level: string | undefined, scope: Scope = {}, withGeom = true): Promise<GridUnitView[]> {
    const w = scopeWhere(new Where().opt('u.level = ?', level), scope, 'grid');
    const r = await this.db.query<Record<string, any>>(
      `WITH RECURSIVE up(id, district_id) AS (
         SELECT id, CASE WHEN level = 'district' THEN id END FROM grid_units WHERE level IN ('city', 'district')
         UNION ALL
         SELECT g.id, up.district_id FROM grid_units g JOIN up ON g.parent_id = up.id WHERE g.level NOT IN ('city', 'district')
       )
       SELECT u.id, u.level, u.parent_id, u.name, u.name_zh, ${withGeom ? 'u.geom' : 'NULL AS geom'}, t.district_id
       FROM grid_units u LEFT JOIN up t ON t.id = u.id
       ${w.clause} ORDER BY u.id`,
      w.params,
    );
    return r.rows.map((x) => ({
      id: x.id,
      level: x.level,
      parentId: x.parent_id ?? null,
      districtId: x.district_id ?? null,
      name: x.name,
      nameZh: x.name_zh ?? null,
      geom: typeof x.geom === 'string' ? JSON.parse(x.geom) : (x.geom ?? null),
    }));
  }
}
