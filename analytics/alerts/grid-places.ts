// Where a grid unit sits in the hierarchy (district, town, community, cell), cached: alerts carry it on every raise.
import type { GridPlace } from '../../core/events/index.ts';
import { CoverageRepository } from '../../core/db/repositories/coverage.repository.ts';
import type { Db } from '../../core/db/db.ts';

export class GridPlaces {
  private readonly cache = new Map<string, Promise<GridPlace>>();
  private readonly repo: CoverageRepository;
  constructor(db: Db) {
    this.repo = new CoverageRepository(db);
  }

  /** The place of a cell (or any unit); a camera without a cell still carries its district. */
  async of(unitId: string | undefined, districtId?: string): Promise<GridPlace> {
    if (!unitId) return districtId ? { district: districtId } : {};
    let p = this.cache.get(unitId);
    if (!p) {
      p = this.repo.placeOf(unitId);
      this.cache.set(unitId, p);
      p.catch(() => this.cache.delete(unitId));
    }
    const place = await p;
    return districtId && !place.district ? { ...place, district: districtId } : place;
  }
}
