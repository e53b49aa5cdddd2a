// A face capture (door or camera snapshot) → every face's nearest enrolled persons → stored matches, faceMatch
// events and alerts scoped to each list's owner; at a door, the face is also checked against the card holder.
import { createHash } from 'node:crypto';
import type { FaceCapture, FaceMatch } from '../../core/events/index.ts';
import type { ServiceContext } from '../../core/service.ts';
import type { AlertsService } from '../alerts/alerts.service.ts';
import type { FaceMatchesRepository } from '../../core/db/repositories/face-matches.repository.ts';
import type { WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import type { AnalysedFace } from './engine/face-engine.ts';
import type { FacePool } from './workers/face-pool.ts';
import { FaceImageError, QueueFullError } from './workers/face-pool.ts';
import type { FaceStore } from './face-store.ts';
import type { Candidate, WatchlistIndex } from './watchlist-index.ts';

type Place = { district?: string; cell?: string };

export interface MatcherDeps {
  ctx: Pick<ServiceContext, 'bus' | 'log' | 'clock'>;
  pool: FacePool;
  index: WatchlistIndex;
  store: FaceStore;
  matches: FaceMatchesRepository;
  watchlists: WatchlistsRepository;
  alerts: AlertsService;
}

export interface CaptureOutcome {
  faces: number;
  matches: FaceMatch[];
  credentialMismatch?: string;
  skipped?: 'queue_full' | 'unreadable';
}

/** Same capture, face and person (or sighting) → same id, so a redelivered capture stores and alerts nothing twice. */
export function matchIdFor(captureId: string, face: number, personId: string): string {
  const h = createHash('sha1').update(`${captureId}/${face}/${personId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class FaceMatcher {
  /** Captures analysed (faces found or not). */
  captures = 0;
  /** Captures finished, everything they caused written and published; skipped ones included. */
  handled = 0;
  unreadable = 0;

  constructor(private readonly d: MatcherDeps) {}

  async handle(capture: FaceCapture): Promise<CaptureOutcome> {
    const out = await this.process(capture);
    this.handled++;
    return out;
  }

  private async process(capture: FaceCapture): Promise<CaptureOutcome> {
    const { log } = this.d.ctx;
    let image: Buffer;
    try {
      image = await this.d.store.read(capture.imagePath);
    } catch (err) {
      this.unreadable++;
      log.warn({ captureId: capture.captureId, imagePath: capture.imagePath, err }, 'face capture image unreadable; skipped');
      return { faces: 0, matches: [], skipped: 'unreadable' };
    }
    let faces: AnalysedFace[];
    try {
      faces = await this.d.pool.analyse(image, { crops: true, door: capture.source === 'door' });
    } catch (err) {
      if (err instanceof QueueFullError) {
        log.warn({ captureId: capture.captureId, dropped: this.d.pool.dropped }, 'face queue full; capture dropped');
        return { faces: 0, matches: [], skipped: 'queue_full' };
      }
      if (err instanceof FaceImageError) {
        this.unreadable++;
        log.warn({ captureId: capture.captureId, err }, 'face capture is not an image; skipped');
        return { faces: 0, matches: [], skipped: 'unreadable' };
      }
      throw err;
    }
    this.captures++;
    if (faces.length === 0) return { faces: 0, matches: [] };

    const place = await this.d.matches.placeOf(capture);
    const out: CaptureOutcome = { faces: faces.length, matches: [] };
    const cropOf: (string | undefined)[] = [];
    for (const [i, face] of faces.entries()) {
      const applicable = this.d.index.matches(face.descriptor).filter((c) => applies(c, capture, place));
      const watched = bestPerList(applicable.filter((c) => c.level !== 'residents'));
      for (const c of watched) {
        const m = await this.recordMatch(capture, place, i, face, c);
        if (m) out.matches.push(m);
        cropOf[i] ??= m?.cropPath;
      }
      if (applicable.length === 0) cropOf[i] = await this.recordSighting(capture, i, face);
    }
    if (capture.source === 'door' && capture.personId && capture.propertyId) {
      out.credentialMismatch = await this.checkCredential(capture, place, faces[0], cropOf[0]);
    }
    return out;
  }

  private async recordMatch(
    capture: FaceCapture,
    place: Place,
    face: number,
    f: AnalysedFace,
    c: Candidate,
  ): Promise<FaceMatch | undefined> {
    const matchId = matchIdFor(capture.captureId, face, c.personId);
    const cropPath = f.crop ? await this.d.store.save('matches', new Date(capture.ts), matchId, f.crop) : undefined;
    const match: FaceMatch = {
      matchId,
      captureId: capture.captureId,
      ts: capture.ts,
      personId: c.personId,
      watchlistId: c.watchlistId,
      distance: Math.round(c.distance * 1e4) / 1e4,
      cropPath,
      cameraId: capture.cameraId,
      propertyId: capture.propertyId,
      doorId: capture.doorId,
    };
    if (!(await this.d.matches.insert({ ...match, districtId: place.district }))) return undefined;
    await this.d.ctx.bus.publish('faceMatch', { watchlistId: c.watchlistId }, match);
    const owner = ownerPlace(c, place);
    await this.d.alerts.raise({
      kind: 'watchlist_match',
      severity: c.level === 'wanted' ? 'critical' : 'high',
      title: `Watch-list match (${c.level}): ${c.personName}`,
      titleArgs: { level: c.level, person: c.personName },
      subjectKind: 'person',
      subjectId: c.personId,
      place: owner.place,
      propertyId: owner.propertyId,
      ts: capture.ts,
      evidence: {
        matchId,
        captureId: capture.captureId,
        watchlistId: c.watchlistId,
        level: c.level,
        distance: match.distance,
        threshold: c.threshold,
        cropPath,
        imagePath: capture.imagePath,
        cameraId: capture.cameraId,
        doorId: capture.doorId,
        propertyId: capture.propertyId,
      },
      dedupKey: `watchlist_match:${matchId}`,
    });
    return match;
  }

  private async recordSighting(capture: FaceCapture, face: number, f: AnalysedFace): Promise<string | undefined> {
    const id = matchIdFor(capture.captureId, face, 'sighting');
    const cropPath = f.crop ? await this.d.store.save('sightings', new Date(capture.ts), id, f.crop) : undefined;
    await this.d.matches.insertSighting({
      id,
      ts: capture.ts,
      captureId: capture.captureId,
      descriptor: f.descriptor,
      cropPath,
      cameraId: capture.cameraId,
      propertyId: capture.propertyId,
      doorId: capture.doorId,
    });
    return cropPath;
  }

  /**
   * The largest face at the door against the card holder: a resident other than the holder, or nobody while
   * the holder is an enrolled resident, is a credential mismatch. Returns the reason when one is raised.
   */
  private async checkCredential(
    capture: FaceCapture,
    place: Place,
    face: AnalysedFace,
    cropPath: string | undefined,
  ): Promise<string | undefined> {
    const holder = capture.personId!;
    const resident = this.d.index.matches(face.descriptor).find((c) => c.level === 'residents' && c.propertyId === capture.propertyId);
    let reason: string | undefined;
    if (resident && resident.externalId !== holder)
      reason = `face matches resident ${resident.personName} (${resident.externalId ?? resident.personId}), card belongs to ${holder}`;
    else if (!resident && (await this.d.watchlists.isResident(capture.propertyId!, holder)))
      reason = `face matches no resident, card belongs to resident ${holder}`;
    if (!reason) return undefined;
    await this.d.alerts.raise({
      kind: 'credential_mismatch',
      severity: 'high',
      title: `Credential mismatch at door ${capture.doorId ?? '?'}`,
      titleArgs: { door: capture.doorId ?? '?' },
      subjectKind: 'door',
      subjectId: capture.doorId ?? capture.propertyId!,
      place,
      propertyId: capture.propertyId,
      ts: capture.ts,
      evidence: {
        captureId: capture.captureId,
        doorEventId: capture.doorEventId,
        credentialId: capture.credentialId,
        cardHolder: holder,
        matchedPersonId: resident?.personId,
        matchedExternalId: resident?.externalId,
        distance: resident?.distance,
        cropPath,
        imagePath: capture.imagePath,
        reason,
      },
      dedupKey: `credential_mismatch:${capture.captureId}`,
    });
    return reason;
  }
}

/** City lists apply everywhere, district lists in their district, property lists at their property. */
function applies(c: Candidate, capture: FaceCapture, place: Place): boolean {
  if (c.scopeKind === 'city') return true;
  if (c.scopeKind === 'district') return c.districtId !== undefined && c.districtId === place.district;
  return c.propertyId !== undefined && c.propertyId === capture.propertyId;
}

function bestPerList(cands: Candidate[]): Candidate[] {
  const best = new Map<string, Candidate>();
  for (const c of cands) if (!best.has(c.watchlistId)) best.set(c.watchlistId, c);
  return [...best.values()];
}

/**
 * Who sees the alert: a property list's property; a district list's district; a city list's match is placed
 * where it happened (city-wide users see all of them, district users their district's) and never given to a
 * property manager.
 */
function ownerPlace(c: Candidate, place: Place): { place: Place; propertyId?: string } {
  if (c.scopeKind === 'property') return { place: { district: c.districtId ?? place.district }, propertyId: c.propertyId };
  if (c.scopeKind === 'district')
    return { place: { district: c.districtId, cell: c.districtId === place.district ? place.cell : undefined } };
  return { place };
}
