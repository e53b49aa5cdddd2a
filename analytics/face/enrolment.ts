// Enrolling a person on a watch list: every photo must show exactly one face, large and sharp enough;
// otherwise nothing is stored and each photo gets its reason.
import { randomUUID } from 'node:crypto';
import type { FacePool } from './workers/face-pool.ts';
import type { AnalysedFace } from './engine/face-engine.ts';
import { FaceImageError } from './workers/face-pool.ts';
import type { FaceStore } from './face-store.ts';
import type { NewEmbedding, WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import type { Clock } from '../../core/clock.ts';

export interface EnrolPhoto {
  filename: string;
  data: Uint8Array;
}

export interface PhotoVerdict {
  photo: string;
  index: number;
  ok: boolean;
  reason?: string;
  faces: number;
  faceWidth?: number;
  sharpness?: number;
}

export type EnrolResult = { ok: true; id: string; photos: PhotoVerdict[] } | { ok: false; reason: string; photos: PhotoVerdict[] };

export interface EnrolLimits {
  minFaceSize: number;
  minSharpness: number;
}

export class Enrolment {
  constructor(
    private readonly pool: FacePool,
    private readonly repo: WatchlistsRepository,
    private readonly store: FaceStore,
    private readonly limits: EnrolLimits,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks every photo, then stores the person with one embedding per photo (as `id` when given, so a repeated
   * request stores nothing twice). Throws QueueFullError when busy.
   */
  async enrol(
    watchlistId: string,
    person: { name: string; externalId?: string; note?: string },
    photos: readonly EnrolPhoto[],
    id: string = randomUUID(),
  ): Promise<EnrolResult> {
    if (photos.length === 0) return { ok: false, reason: 'at least one photo is required', photos: [] };
    const checked = await Promise.all(photos.map((p, i) => this.check(p, i)));
    const verdicts = checked.map((c) => c.verdict);
    const bad = verdicts.filter((v) => !v.ok);
    if (bad.length > 0) {
      return {
        ok: false,
        reason: `${bad.length} of ${photos.length} photos refused: ${bad.map((b) => `${b.photo}: ${b.reason}`).join('; ')}`,
        photos: verdicts,
      };
    }
    const now = this.clock.now();
    const embeddings: NewEmbedding[] = [];
    for (const [i, c] of checked.entries()) {
      const face = c.face!;
      const cropPath = face.crop ? await this.store.save('enrolled', now, `${id}-${i}`, face.crop) : undefined;
      embeddings.push({ descriptor: face.descriptor, cropPath, faceWidth: face.box.width, sharpness: face.sharpness });
    }
    await this.repo.addPerson({ id, watchlistId, ...person }, embeddings);
    return { ok: true, id, photos: verdicts };
  }

  private async check(photo: EnrolPhoto, index: number): Promise<{ verdict: PhotoVerdict; face?: AnalysedFace }> {
    const base = { photo: photo.filename, index };
    let faces;
    try {
      faces = await this.pool.analyse(photo.data, { crops: true });
    } catch (err) {
      if (err instanceof FaceImageError) return { verdict: { ...base, ok: false, faces: 0, reason: 'not a readable JPEG or PNG image' } };
      throw err;
    }
    if (faces.length === 0) return { verdict: { ...base, ok: false, faces: 0, reason: 'no face found' } };
    if (faces.length > 1)
      return { verdict: { ...base, ok: false, faces: faces.length, reason: `${faces.length} faces found; exactly one is required` } };
    const face = faces[0];
    const measured = { faces: 1, faceWidth: Math.round(face.box.width), sharpness: Math.round(face.sharpness * 10) / 10 };
    if (face.box.width < this.limits.minFaceSize) {
      return {
        verdict: {
          ...base,
          ...measured,
          ok: false,
          reason: `face too small: ${measured.faceWidth} px wide, at least ${this.limits.minFaceSize} required`,
        },
      };
    }
    if (face.sharpness < this.limits.minSharpness) {
      return {
        verdict: {
          ...base,
          ...measured,
          ok: false,
          reason: `face not sharp enough: ${measured.sharpness}, at least ${this.limits.minSharpness} required`,
        },
      };
    }
    return { verdict: { ...base, ...measured, ok: true }, face };
  }
}
