// PUT /api/v1/cameras/{id}/credentials — an administrator sets one camera's ONVIF credentials. They are sealed here
// (CREDENTIAL_KEY, the same key as ingest); the cameraCredentialsChanged notice makes ingest use them at once, and
// its discovery pass picks them up anyway when a notice is lost.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CamerasRepository } from '../../../core/db/repositories/cameras.repository.ts';
import { CredentialCipher } from '../../../core/credentials/credential-cipher.ts';
import { Bearer, ErrorBody } from '../../schemas/common.ts';

const Credentials = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 256, description: 'ONVIF user' }),
    password: Type.String({ maxLength: 1024, description: 'ONVIF password; stored encrypted, never returned' }),
  },
  { additionalProperties: false },
);

const cameraCredentials: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin'));
  const repo = new CamerasRepository(app.ctx.db);
  const cipher = await CredentialCipher.fromConfig(app.ctx.config);

  app.put(
    '/:id/credentials',
    {
      schema: {
        tags: ['cameras'],
        summary: "Set one camera's credentials (administrators); ingest prepares the camera again with them at once",
        security: Bearer,
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
        body: Credentials,
        response: { 204: Type.Null(), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      if (!(await repo.setCredentials(request.params.id, cipher.encrypt({ username, password, source: 'api' })))) {
        return reply.code(404).send({ error: 'Not Found', message: 'no such camera' });
      }
      request.log.info({ camera: request.params.id, by: request.user?.username }, 'camera credentials set');
      // Stored already, so the answer does not wait for the broker: mqtt.js keeps the notice until it is delivered,
      // and should it be lost, ingest's next discovery pass reads the new credentials all the same.
      const cameraId = request.params.id;
      app.ctx.bus
        .publish('cameraCredentialsChanged', { cameraId }, { cameraId, ts: app.ctx.clock.now().toISOString() })
        .catch((err) =>
          request.log.warn(
            { camera: cameraId, err },
            'credentials change notice not published; ingest applies it on its next discovery pass',
          ),
        );
      return reply.code(204).send(null);
    },
  );
};
export default cameraCredentials;
