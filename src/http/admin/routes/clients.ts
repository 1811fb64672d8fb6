// /admin/clients: register, list, show, change, delete clients and rotate their secrets.
import type { FastifyPluginAsync } from 'fastify';
import { createClient, deleteClient, listClients, rotateClientSecret, showClient, updateClient, type ClientFields } from '../../../admin/clients.js';
import { clientView } from '../../../admin/views.js';
import { ACCESS_TOKEN_FORMATS, AUTH_METHODS, GRANT_TYPES } from '../../../domain/clients.js';
import type { Services } from '../../../services.js';
import { durationSchema, idParams } from './schemas.js';

const clientProperties = {
  client_name: { type: 'string', minLength: 1, maxLength: 100 },
  redirect_uris: { type: 'array', items: { type: 'string', maxLength: 2000 }, maxItems: 100 },
  grant_types: { type: 'array', items: { type: 'string', enum: GRANT_TYPES }, minItems: 1 },
  scope: { type: 'string', maxLength: 4000 },
  public: { type: 'boolean' },
  token_endpoint_auth_method: { type: 'string', enum: AUTH_METHODS },
  access_token_ttl: durationSchema,
  refresh_token_ttl: durationSchema,
  refresh_token_grace: durationSchema,
  access_token_format: { type: 'string', enum: ACCESS_TOKEN_FORMATS },
  resource_server_for: { type: 'array', items: { type: 'string', maxLength: 2000 }, maxItems: 50 },
  token_exchange_resources: { type: 'array', items: { type: 'string', maxLength: 2000 }, maxItems: 50 },
  skip_consent: { type: 'boolean' },
  // A JWK Set; its keys are checked by the domain (validateJwks), which names what is wrong.
  jwks_uri: { type: ['string', 'null'], maxLength: 2000 },
  jwks: { type: ['object', 'null'], maxProperties: 1, properties: { keys: { type: 'array', maxItems: 10, items: { type: 'object' } } } },
  post_logout_redirect_uris: { type: 'array', items: { type: 'string', maxLength: 2000 }, maxItems: 20 },
  backchannel_logout_uri: { type: ['string', 'null'], maxLength: 2000 },
  backchannel_logout_session_required: { type: 'boolean' },
  frontchannel_logout_uri: { type: ['string', 'null'], maxLength: 2000 },
  frontchannel_logout_session_required: { type: 'boolean' },
  require_pushed_authorization_requests: { type: 'boolean' },
  dpop_bound_access_tokens: { type: 'boolean' },
  // RFC 7591 §2 display fields: the domain checks they are https (http on loopback) URLs.
  logo_uri: { type: ['string', 'null'], maxLength: 2000 },
  client_uri: { type: ['string', 'null'], maxLength: 2000 },
  policy_uri: { type: ['string', 'null'], maxLength: 2000 },
  tos_uri: { type: ['string', 'null'], maxLength: 2000 },
} as const;

const createBody = {
  type: 'object',
  required: ['client_name'],
  additionalProperties: false,
  properties: { ...clientProperties, client_id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const updateBody = { type: 'object', minProperties: 1, additionalProperties: false, properties: clientProperties } as const;

export const clientRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.post<{ Body: ClientFields }>('/', { schema: { body: createBody } }, async (request, reply) => {
    const { client, clientSecret } = await createClient(services, request.body);
    return reply.code(201).header('Location', `/admin/clients/${encodeURIComponent(client.clientId)}`).send(clientView(client, clientSecret));
  });

  app.get('/', async () => ({ clients: (await listClients(services)).map((client) => clientView(client)) }));

  app.get<{ Params: { id: string } }>('/:id', { schema: { params: idParams('id') } }, async (request) => {
    return clientView(await showClient(services, request.params.id));
  });

  app.patch<{ Params: { id: string }; Body: ClientFields }>('/:id', { schema: { params: idParams('id'), body: updateBody } }, async (request) => {
    return clientView(await updateClient(services, request.params.id, request.body));
  });

  app.delete<{ Params: { id: string } }>('/:id', { schema: { params: idParams('id') } }, async (request, reply) => {
    await deleteClient(services, request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/:id/rotate-secret', { schema: { params: idParams('id') } }, async (request) => {
    const { client, clientSecret } = await rotateClientSecret(services, request.params.id);
    return clientView(client, clientSecret);
  });
};
