// /api/v1/live — a camera live in the browser. POST /cameras/{id} (bearer; scope-checked, audited) answers a
// short-lived ticket URL; GET /streams?ticket= is that URL, opened by a <video> (fragmented MP4 from one shared
// ffmpeg per camera) or an <img> (an MJPEG camera's stream as it comes), within the viewer caps.
// GET /alerts/{id}/clips lists an alert's event clips with a ticket URL each (audited); GET /clips?ticket= serves one.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { scopeOf } from '../../../core/auth/scope.ts';
import { basicAuthHeader, redactUri } from '../../../core/credentials/camera-access.ts';
import { CamerasRepository } from '../../../core/db/repositories/cameras.repository.ts';
import { MediaAuditRepository } from '../../../core/db/repositories/media-audit.repository.ts';
import { AlertClipsRepository } from '../../../core/db/repositories/alert-clips.repository.ts';
import { AlertsRepository } from '../../../core/db/repositories/alerts.repository.ts';
import { Bearer, ErrorBody } from '../../schemas/common.ts';
import { AlertClips, LiveTicket } from '../../schemas/video.ts';
import type { StreamSource } from '../../plugins/video.ts';
import { refusalBody } from '../../video/viewer-limits.ts';

const TICKET_TTL_MS = 60_000;
/** A viewer this far behind (bytes queued) is cut off rather than held in memory. */
const MAX_QUEUED = 8 * 1024 * 1024;

const CLIP_TICKET_TTL_MS = 10 * 60_000;

const live: FastifyPluginAsyncTypebox = async (app) => {
  const clipsRepo = new AlertClipsRepository(app.ctx.db);
  const alerts = new AlertsRepository(app.ctx.db);
  const cameras = new CamerasRepository(app.ctx.db);
  const audit = new MediaAuditRepository(app.ctx.db);
  const { video } = app;

  app.post(
    '/cameras/:id',
    {
      onRequest: app.requireRole('admin', 'monitor', 'supervisor', 'property_manager'),
      schema: {
        tags: ['cameras'],
        summary: 'Open a camera live: a ticket URL for the browser (audited)',
        security: Bearer,
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
        body: Type.Optional(Type.Object({ alertId: Type.Optional(Type.String({ format: 'uuid' })) })),
        response: { 200: LiveTicket, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const cam = await cameras.get(request.params.id, scopeOf(request.user));
      if (!cam) return reply.code(404).send({ error: 'Not Found', message: 'no such camera in your scope' });
      const src = await video.source(cam.id);
      if (!src)
        return reply.code(404).send({ error: 'Not Found', message: 'this camera has no stream URI (its inventory has not been read)' });
      const full = video.limits.full(cam.id);
      if (full) return reply.code(429).send(refusalBody(full));
      const now = app.ctx.clock.now().getTime();
      const ticket = video.tickets.issue({ kind: 'live', cameraId: cam.id, user: request.user.username }, TICKET_TTL_MS, now);
      await audit.record({
        actor: request.user.username,
        action: 'live',
        cameraId: cam.id,
        alertId: request.body?.alertId,
        detail: { kind: src.kind },
      });
      return {
        cameraId: cam.id,
        kind: src.kind,
        url: `/api/v1/live/streams?ticket=${ticket}`,
        expiresAt: new Date(now + TICKET_TTL_MS).toISOString(),
      };
    },
  );

  app.get(
    '/streams',
    {
      schema: {
        tags: ['cameras'],
        summary: 'A live stream opened by its ticket (video/mp4 fragments, or multipart MJPEG)',
        querystring: Type.Object({ ticket: Type.String({ maxLength: 2048 }) }),
        produces: ['video/mp4', 'multipart/x-mixed-replace'],
        response: { 401: ErrorBody, 404: ErrorBody, 429: ErrorBody, 502: ErrorBody },
      },
    },
    async (request, reply) => {
      const claims = video.tickets.open(request.query.ticket, app.ctx.clock.now().getTime());
      if (!claims || claims.kind !== 'live')
        return reply.code(401).send({ error: 'Unauthorized', message: 'live ticket invalid or expired: open the camera again' });
      const src = await video.source(claims.cameraId);
      if (!src) return reply.code(404).send({ error: 'Not Found', message: 'this camera has no stream URI' });
      const seat = video.limits.take(src.cameraId);
      if ('refused' in seat) return reply.code(429).send(refusalBody(seat.refused));
      try {
        return src.kind === 'mjpeg' ? await passMjpeg(src, reply, seat.release) : await serveMp4(src, reply, seat.release);
      } catch (err) {
        seat.release();
        throw err;
      }
    },
  );

  app.get(
    '/alerts/:id/clips',
    {
      onRequest: app.requireRole('admin', 'monitor', 'supervisor', 'property_manager'),
      schema: {
        tags: ['alerts'],
        summary: "An alert's event clips, each ready one with a ticket URL to play it (audited)",
        security: Bearer,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: AlertClips, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const a = await alerts.get(request.params.id, scopeOf(request.user));
      if (!a) return reply.code(404).send({ error: 'Not Found', message: 'no such alert in your scope' });
      const now = app.ctx.clock.now().getTime();
      const items = (await clipsRepo.forAlert(a.alertId)).map((c) => {
        const base = { cameraId: c.cameraId, state: c.state, from: c.from, to: c.to, bytes: c.bytes, error: c.error };
        if (c.state !== 'ready') return base;
        const ticket = video.tickets.issue(
          { kind: 'clip', cameraId: c.cameraId, alertId: a.alertId, user: request.user.username },
          CLIP_TICKET_TTL_MS,
          now,
        );
        return { ...base, url: `/api/v1/live/clips?ticket=${ticket}`, expiresAt: new Date(now + CLIP_TICKET_TTL_MS).toISOString() };
      });
      const ready = items.filter((c) => 'url' in c).map((c) => c.cameraId);
      if (ready.length)
        await audit.record({ actor: request.user.username, action: 'clip', alertId: a.alertId, detail: { cameras: ready } });
      return { items };
    },
  );

  app.get(
    '/clips',
    {
      schema: {
        tags: ['alerts'],
        summary: 'An event clip opened by its ticket (video/mp4, byte ranges)',
        querystring: Type.Object({ ticket: Type.String({ maxLength: 2048 }) }),
        produces: ['video/mp4'],
        response: { 401: ErrorBody, 404: ErrorBody, 416: ErrorBody },
      },
    },
    async (request, reply) => {
      const claims = video.tickets.open(request.query.ticket, app.ctx.clock.now().getTime());
      if (!claims || claims.kind !== 'clip' || !claims.alertId)
        return reply.code(401).send({ error: 'Unauthorized', message: 'clip ticket invalid or expired: list the clips again' });
      const clip = await clipsRepo.get(claims.alertId, claims.cameraId);
      const f = clip?.file ? await video.files.open(clip.file) : undefined;
      if (!f) return reply.code(404).send({ error: 'Not Found', message: 'the clip is gone (retention) or not written' });
      reply.header('content-type', 'video/mp4').header('accept-ranges', 'bytes').header('cache-control', 'private, max-age=600');
      const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
      if (!range || (!range[1] && !range[2])) return reply.header('content-length', f.size).send(f.stream as never);
      f.stream.destroy();
      let start = range[1] ? Number(range[1]) : Math.max(0, f.size - Number(range[2]));
      let end = range[1] && range[2] ? Math.min(Number(range[2]), f.size - 1) : f.size - 1;
      if (start >= f.size || start > end)
        return reply
          .code(416)
          .header('content-range', `bytes */${f.size}`)
          .send({ error: 'Range Not Satisfiable', message: `the clip has ${f.size} bytes` });
      start = Math.max(0, start);
      end = Math.max(start, end);
      const file = await video.files.real(clip!.file!);
      if (!file) return reply.code(404).send({ error: 'Not Found', message: 'the clip is gone' });
      return reply
        .code(206 as never)
        .header('content-range', `bytes ${start}-${end}/${f.size}`)
        .header('content-length', end - start + 1)
        .send(createReadStream(file, { start, end }) as never);
    },
  );

  async function serveMp4(src: StreamSource, reply: FastifyReply, release: () => void) {
    const lease = video.pool.acquire(src.cameraId, video.ffmpegUri(src));
    try {
      await lease.feed.ready(app.ctx.config.liveStartTimeout);
    } catch (err) {
      lease.release();
      release();
      reply.log.warn({ camera: src.cameraId, err }, 'live view: camera stream did not start');
      return reply.code(502).send({ error: 'Bad Gateway', message: `camera stream did not start: ${(err as Error).message}` });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'video/mp4', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      off();
      lease.release();
      release();
      res.end();
    };
    const off = lease.feed.read((part) => {
      if (done) return;
      if (res.writableLength > MAX_QUEUED) return finish();
      res.write('init' in part ? part.init : part.fragment.data);
    });
    res.on('close', finish);
    void lease.feed.ended().then(finish);
  }

  async function passMjpeg(src: StreamSource, reply: FastifyReply, release: () => void) {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), app.ctx.config.liveStartTimeout);
    let upstream: Response;
    try {
      upstream = await fetch(src.uri, { headers: basicAuthHeader(src.credentials), signal: ac.signal, redirect: 'error' });
    } catch (err) {
      release();
      reply.log.warn({ camera: src.cameraId, uri: redactUri(src.uri), err }, 'live view: MJPEG stream unreachable');
      return reply.code(502).send({ error: 'Bad Gateway', message: 'camera stream unreachable' });
    } finally {
      clearTimeout(timer);
    }
    const type = upstream.headers.get('content-type') ?? '';
    if (!upstream.ok || !upstream.body || !/^multipart\/x-mixed-replace/i.test(type)) {
      ac.abort();
      release();
      return reply.code(502).send({
        error: 'Bad Gateway',
        message: upstream.ok ? `camera sent ${type || 'no content type'}, not an MJPEG stream` : `camera answered ${upstream.status}`,
      });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    const body = Readable.fromWeb(upstream.body as never);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      ac.abort();
      body.destroy();
      release();
      res.end();
    };
    body.on('error', finish);
    body.on('end', finish);
    res.on('close', finish);
    body.pipe(res, { end: false });
  }
};

export default live;
