// /admin/keys: the signing keys, and rotating them.
import type { FastifyPluginAsync } from 'fastify';
import { listKeys, rotateKeys } from '../../../admin/keys.js';
import { keyView } from '../../../admin/views.js';
import { SIGNING_ALGS } from '../../../domain/keys.js';
import type { Services } from '../../../services.js';
import type { SigningAlg } from '../../../store/types.js';

const rotateBody = {
  type: 'object',
  additionalProperties: false,
  properties: { algs: { type: 'array', items: { type: 'string', enum: SIGNING_ALGS }, minItems: 1 } },
} as const;

export const keyRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/', async () => ({ keys: (await listKeys(services)).map(keyView) }));

  app.post<{ Body: { algs?: SigningAlg[] } }>(
    '/rotate',
    {
      schema: { body: rotateBody },
      // No body at all means "rotate every algorithm".
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { rotated, keys } = await rotateKeys(services, request.body.algs);
      return { rotated: rotated.map(keyView), keys: keys.map(keyView) };
    },
  );
};
