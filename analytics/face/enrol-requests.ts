// Enrolment requests from the gateway over the bus: the photos are files the gateway wrote under DATA_DIR; the
// person is stored under the request id (a redelivered request answers again and stores nothing twice), every
// index is told, the answer goes back on faceEnrolReply with each photo's verdict, and the request's files go.
import type { FaceEnrolReply, FaceEnrolRequest } from '../../core/events/face-enrol.ts';
import type { ServiceContext } from '../../core/service.ts';
import { DataFiles } from '../../core/files/data-files.ts';
import type { FaceRuntime } from './face-runtime.ts';
import type { EnrolPhoto, PhotoVerdict } from './enrolment.ts';
import { QueueFullError } from './workers/face-pool.ts';

export async function answerEnrolRequest(
  ctx: Pick<ServiceContext, 'bus' | 'clock' | 'config' | 'log'>,
  rt: FaceRuntime,
  req: FaceEnrolRequest,
): Promise<FaceEnrolReply | undefined> {
  const files = new DataFiles(ctx.config.dataDir);
  const reply = (r: Omit<FaceEnrolReply, 'requestId' | 'ts'>): FaceEnrolReply => ({
    requestId: req.requestId,
    ts: ctx.clock.now().toISOString(),
    ...r,
  });
  // The gateway asks only for a list it has just read: one missing here is another deployment's on a shared broker
  // (its face service answers it), or deleted meanwhile (the gateway's wait runs out). Answering "no such list" would
  // race the right answer.
  if (!(await rt.watchlists.get(req.watchlistId))) {
    ctx.log.debug(
      { requestId: req.requestId, watchlistId: req.watchlistId },
      'enrolment request for a watch list not in this database: left to its own face service',
    );
    return undefined;
  }
  let answer: FaceEnrolReply;
  if ((await rt.watchlists.persons(req.watchlistId)).some((p) => p.id === req.requestId)) {
    answer = reply({ outcome: 'enrolled', personId: req.requestId, photos: [] });
  } else {
    const read = await Promise.all(req.photos.map((p) => rt.store.read(p.path).catch(() => undefined)));
    const missing = read.flatMap((b, i) => (b ? [] : [i]));
    if (missing.length > 0) {
      const photos: PhotoVerdict[] = req.photos.map((p, i) => ({
        photo: p.filename,
        index: i,
        ok: false,
        faces: 0,
        reason: missing.includes(i) ? 'photo file no longer there (request expired)' : 'not checked',
      }));
      answer = reply({ outcome: 'refused', reason: `${missing.length} of ${req.photos.length} photos missing`, photos });
    } else {
      const photos: EnrolPhoto[] = req.photos.map((p, i) => ({ filename: p.filename, data: read[i]! }));
      try {
        const r = await rt.enrolment.enrol(
          req.watchlistId,
          { name: req.name, externalId: req.externalId, note: req.note },
          photos,
          req.requestId,
        );
        if (r.ok) {
          await rt.changed(req.watchlistId, 'person_added', r.id);
          answer = reply({ outcome: 'enrolled', personId: r.id, photos: r.photos });
        } else {
          answer = reply({ outcome: 'refused', reason: r.reason, photos: r.photos });
        }
      } catch (err) {
        if (!(err instanceof QueueFullError)) throw err;
        answer = reply({ outcome: 'busy', reason: err.message, photos: [] });
      }
    }
  }
  await ctx.bus.publish('faceEnrolReply', { requestId: req.requestId }, answer);
  if (answer.outcome !== 'busy')
    await files
      .remove(req.photos.map((p) => p.path))
      .catch((err: unknown) => ctx.log.warn({ err, requestId: req.requestId }, 'enrolment photos not removed'));
  return answer;
}
