// /admin/keys: the signing keys, and rotating them.
import type { FastifyPluginAsync } from 'fastify';
import { SIGNING_ALGS } from '../../../domain/keys.js';
import type { Services } from '../../../services.js';
import type { SigningAlg } from '../../../store/types.js';
import { keyView, type KeyView } from '../views.js';

const rotateBody = {
  type: 'object',
  additionalProperties: false,
  properties: { algs: { type: 'array', items: { type: 'string', enum: SIGNING_ALGS }, minItems: 1 } },
} as const;

/** Every key on record, each marked with whether the JWKS serves it now. */
async function keyViews(services: Services): Promise<KeyView[]> {
  const [records, jwks] = await Promise.all([services.store.listSigningKeys(services.now()), services.keys.jwks()]);
  const published = new Set(jwks.keys.map((key) => key.kid));
  return records.map((record) => keyView(record, published.has(record.kid)));
}

export const keyRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/', async () => ({ keys: await keyViews(services) }));

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
      const algs = request.body.algs ? [...new Set(request.body.algs)] : SIGNING_ALGS;
      const made = new Set((await services.keys.rotate(algs)).map((key) => key.kid));
      const keys = await keyViews(services);
      return { rotated: keys.filter((key) => made.has(key.kid)), keys };
    },
  );
};
