// /api/v1/watchlists — watch lists in your scope; enrol persons from photos (multipart) and remove them.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf, type AuthUser } from '../../../core/auth/scope.ts';
import { Literals } from '../../../core/events/index.ts';
import { WatchlistsRepository } from '../../../core/db/repositories/watchlists.repository.ts';
import { FaceAuditRepository } from '../../../core/db/repositories/face-audit.repository.ts';
import { DataFiles } from '../../../core/files/data-files.ts';
import { EnrolClient, EnrolTimeoutError } from './enrol-client.ts';
import { Bearer, ErrorBody } from '../../schemas/common.ts';
import { NUL_DETAIL, nulField } from '../../../core/events/validate.ts';
import { canManage, levelFits, ListScope, Watchlist, Person, EnrolRefused } from './watchlists.schema.ts';

const NewList = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    level: Literals(
      ['wanted', 'banned', 'residents'] as const,
      "wanted — police (city or district); banned — a property's; residents — a property's own people",
    ),
    scope: ListScope,
    threshold: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1.5, description: 'Distance under which a face matches; default FACE_MATCH_THRESHOLD' }),
    ),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const PersonParams = Type.Object({ id: Type.String({ format: 'uuid' }), personId: Type.String({ format: 'uuid' }) });
const MAX_PHOTOS = 10;

const watchlists: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'property_manager'));
  if (!app.hasContentTypeParser('multipart/form-data')) {
    await app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: MAX_PHOTOS, fields: 10 } });
  }
  const repo = new WatchlistsRepository(app.ctx.db);
  const audit = new FaceAuditRepository(app.ctx.db);
  // Enrolment is asked of the face service over the bus: the gateway itself loads no face model.
  const enrolments = await EnrolClient.start(app.ctx);
  const files = new DataFiles(app.ctx.config.dataDir);
  const changed = (watchlistId: string, change: 'person_removed', personId: string) =>
    app.ctx.bus.publish('watchlistChanged', { watchlistId }, { watchlistId, change, personId, ts: new Date().toISOString() });
  const notFound = { error: 'Not Found', message: 'no such watch list in your scope' };
  const forbidden = { error: 'Forbidden', message: 'this watch list is outside what you may change' };
  const place = async (user: AuthUser, id: string) => {
    const list = await repo.get(id, scopeOf(user));
    return { list, mayChange: list ? canManage(user, list.scope, list.districtId) : false };
  };

  app.post(
    '/',
    {
      schema: {
        tags: ['faces'],
        summary: 'Create a watch list',
        security: Bearer,
        body: NewList,
        response: { 201: Type.Object({ id: Type.String() }), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const { name, level, scope, threshold } = request.body;
      const misfit = levelFits(level, scope);
      if (misfit) return reply.code(400).send({ error: 'Bad Request', field: misfit.field, message: misfit.message });
      if (!(await repo.ownerExists(scope)))
        return reply.code(400).send({ error: 'Bad Request', field: 'body.scope.id', message: `no ${scope.kind} ${scope.id}` });
      if (!canManage(request.user, scope))
        return reply
          .code(403)
          .send({ error: 'Forbidden', message: `you may not own a list with scope ${scope.kind}${scope.id ? ` ${scope.id}` : ''}` });
      const id = randomUUID();
      await repo.create({ id, name, level, scope, threshold, createdBy: request.user.username });
      await audit.record(request.user.username, 'watchlist_created', [], { watchlistId: id, name, level, scope });
      await app.ctx.bus.publish(
        'watchlistChanged',
        { watchlistId: id },
        { watchlistId: id, change: 'created', ts: new Date().toISOString() },
      );
      return reply.code(201).send({ id });
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags: ['faces'],
        summary: 'Watch lists in your scope',
        security: Bearer,
        response: { 200: Type.Object({ items: Type.Array(Watchlist) }) },
      },
    },
    async (request) => ({
      items: await repo.list(scopeOf(request.user)),
    }),
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['faces'],
        summary: 'A watch list with its persons',
        security: Bearer,
        params: IdParams,
        response: { 200: Type.Intersect([Watchlist, Type.Object({ people: Type.Array(Person) })]), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const list = await repo.get(request.params.id, scopeOf(request.user));
      if (!list) return reply.code(404).send(notFound);
      return { ...list, people: await repo.persons(list.id) };
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags: ['faces'],
        summary: 'Delete a watch list and its persons',
        security: Bearer,
        params: IdParams,
        response: { 204: Type.Null(), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { list, mayChange } = await place(request.user, request.params.id);
      if (!list) return reply.code(404).send(notFound);
      if (!mayChange) return reply.code(403).send(forbidden);
      await repo.remove(list.id);
      await audit.record(request.user.username, 'watchlist_deleted', [], { watchlistId: list.id, name: list.name });
      await app.ctx.bus.publish(
        'watchlistChanged',
        { watchlistId: list.id },
        { watchlistId: list.id, change: 'deleted', ts: new Date().toISOString() },
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/:id/persons',
    {
      schema: {
        tags: ['faces'],
        summary: 'Enrol a person (multipart: name, optional externalId and note, one or more photo files)',
        description:
          'Each photo must hold exactly one face, at least FACE_MIN_SIZE pixels wide and FACE_MIN_SHARPNESS sharp; otherwise 422 with the reason per photo.',
        consumes: ['multipart/form-data'],
        security: Bearer,
        params: IdParams,
        response: {
          201: Type.Object({ id: Type.String() }),
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          422: EnrolRefused,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { list, mayChange } = await place(request.user, request.params.id);
      if (!list) return reply.code(404).send(notFound);
      if (!mayChange) return reply.code(403).send(forbidden);
      if (!request.isMultipart())
        return reply
          .code(400)
          .send({ error: 'Bad Request', field: 'body', message: 'body must be multipart/form-data with name and photo fields' });
      const fields: Record<string, string> = {};
      const photos: { filename: string; data: Buffer }[] = [];
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'photo')
            return reply.code(400).send({
              error: 'Bad Request',
              field: `body.${part.fieldname}`,
              message: `unexpected file field ${part.fieldname}; photos go in "photo"`,
            });
          photos.push({ filename: part.filename || `photo${photos.length + 1}`, data: await part.toBuffer() });
        } else {
          fields[part.fieldname] = String(part.value);
        }
      }
      // Multipart text fields pass no schema: the NUL check of every other body is made here.
      const nul = nulField(fields, 'body');
      if (nul) return reply.code(400).send({ error: 'Bad Request', field: nul, message: `${nul} ${NUL_DETAIL}` });
      const name = fields.name?.trim();
      if (!name) return reply.code(400).send({ error: 'Bad Request', field: 'body.name', message: 'body.name is required' });
      if (photos.length === 0)
        return reply.code(400).send({ error: 'Bad Request', field: 'body.photo', message: 'at least one photo file is required' });
      let result;
      try {
        result = await enrolments.enrol({
          watchlistId: list.id,
          name,
          externalId: fields.externalId?.trim() || undefined,
          note: fields.note,
          photos,
        });
      } catch (err) {
        if (err instanceof EnrolTimeoutError)
          return reply
            .code(503)
            .header('retry-after', '30')
            .send({ error: 'Service Unavailable', message: `face recognition did not answer: ${err.message}` });
        throw err;
      }
      if (result.outcome === 'busy')
        return reply
          .code(503)
          .header('retry-after', '5')
          .send({ error: 'Service Unavailable', message: 'face recognition is busy; try again shortly' });
      if (result.outcome === 'refused')
        return reply.code(422).send({ error: 'Unprocessable Entity', message: result.reason ?? 'refused', photos: result.photos });
      await audit.record(request.user.username, 'person_enrolled', [], {
        watchlistId: list.id,
        personId: result.personId,
        photos: photos.length,
      });
      return reply.code(201).send({ id: result.personId! });
    },
  );

  app.delete(
    '/:id/persons/:personId',
    {
      schema: {
        tags: ['faces'],
        summary: 'Remove a person and their face data',
        security: Bearer,
        params: PersonParams,
        response: { 204: Type.Null(), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { list, mayChange } = await place(request.user, request.params.id);
      if (!list) return reply.code(404).send(notFound);
      if (!mayChange) return reply.code(403).send(forbidden);
      const crops = await repo.removePerson(list.id, request.params.personId);
      if (!crops) return reply.code(404).send({ error: 'Not Found', message: 'no such person on this list' });
      await files.remove(crops);
      await audit.record(request.user.username, 'person_removed', [], { watchlistId: list.id, personId: request.params.personId });
      await changed(list.id, 'person_removed', request.params.personId);
      return reply.code(204).send(null);
    },
  );
};
export default watchlists;
