// Deletes faces of people on no list (sighting rows and their crops) once they are older than RETENTION_FACES.
import type { FaceMatchesRepository } from '../../core/db/repositories/face-matches.repository.ts';
import type { FaceStore } from './face-store.ts';

export async function applyFaceRetention(repo: FaceMatchesRepository, store: FaceStore, now: Date, retentionMs: number): Promise<number> {
  const crops = await repo.deleteSightingsBefore(new Date(now.getTime() - retentionMs));
  // Rows go first: a crop without a row is harmless, a row pointing at a deleted crop is not.
  await store.remove(crops);
  return crops.length;
}
