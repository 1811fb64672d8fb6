// /admin/registration-tokens: initial access tokens for dynamic client registration (GATEHOUSE_REGISTRATION=token).
import type { FastifyPluginAsync } from 'fastify';
import { createRegistrationToken, listRegistrationTokens, revokeRegistrationToken, type RegistrationTokenFields } from '../../../admin/registration-tokens.js';
import { registrationTokenView } from '../../../admin/views.js';
import type { Services } from '../../../services.js';
import { durationSchema, idParams } from './schemas.js';

const createBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    expires_in: durationSchema,
    max_uses: { type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 },
  },
} as const;

export const registrationTokenRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.post<{ Body: RegistrationTokenFields | null }>('/', { schema: { body: createBody } }, async (request, reply) => {
    const { record, token } = await createRegistrationToken(services, request.body ?? {});
    return reply.code(201).header('Location', `/admin/registration-tokens/${encodeURIComponent(record.id)}`).send(registrationTokenView(record, token));
  });

  app.get('/', async () => ({ registration_tokens: (await listRegistrationTokens(services)).map((record) => registrationTokenView(record)) }));

  app.delete<{ Params: { id: string } }>('/:id', { schema: { params: idParams('id') } }, async (request, reply) => {
    await revokeRegistrationToken(services, request.params.id);
    return reply.code(204).send();
  });
};
