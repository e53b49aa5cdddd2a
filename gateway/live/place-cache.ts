// Where cameras and compounds are (district, cell), cached: live messages name a camera or compound, rooms are districts.
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { DoorsRepository } from '../../core/db/repositories/doors.repository.ts';
import type { Db } from '../../core/db/db.ts';

export class PlaceCache {
  private readonly cameras = new Map<string, { districtId: string | null; cellId: string | null }>();
  private properties = new Map<string, string | null>();
  private readonly cameraRepo: CamerasRepository;
  private readonly doorRepo: DoorsRepository;

  constructor(db: Db) {
    this.cameraRepo = new CamerasRepository(db);
    this.doorRepo = new DoorsRepository(db);
  }

  async camera(id: string): Promise<{ districtId: string | null; cellId: string | null }> {
    let hit = this.cameras.get(id);
    if (!hit) {
      const c = await this.cameraRepo.get(id);
      hit = { districtId: c?.districtId ?? null, cellId: c?.cellId ?? null };
      // Unknown cameras are not cached: the city import may place them a moment later.
      if (c) this.cameras.set(id, hit);
    }
    return hit;
  }

  async propertyDistrict(id: string): Promise<string | null> {
    if (!this.properties.has(id)) this.properties = await this.doorRepo.propertyDistricts();
    return this.properties.get(id) ?? null;
  }
}
