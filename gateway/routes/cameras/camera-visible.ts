// Whether a user's scope covers a camera: its district, or (property managers) the cells of their compounds.
import type { Scope } from '../../../core/auth/scope.ts';
import type { DoorsRepository } from '../../../core/db/repositories/doors.repository.ts';

export async function cameraVisible(cam: { districtId: string | null; cellId: string | null }, scope: Scope, doors: DoorsRepository): Promise<boolean> {
  if (scope.districts && !(cam.districtId && scope.districts.includes(cam.districtId))) return false;
  if (scope.properties) {
    if (!cam.cellId) return false;
    return (await doors.cellsOf(scope.properties)).includes(cam.cellId);
  }
  return true;
}
