// /admin/clients: register, list, show, change, delete clients and rotate their secrets.
import type { FastifyPluginAsync } from 'fastify';
import { AUTH_METHODS, GRANT_TYPES, type ClientInput } from '../../../domain/clients.js';
import type { Services } from '../../../services.js';
import { DuplicateError } from '../../../store/errors.js';
import type { ClientRecord } from '../../../store/types.js';
import { conflict, notFound } from '../errors.js';
import { clientView } from '../views.js';
import { durationSchema, idParams, toSeconds } from './schemas.js';

interface ClientBody {
  client_name?: string;
  client_id?: string;
  redirect_uris?: string[];
  grant_types?: string[];
  scope?: string;
  public?: boolean;
  token_endpoint_auth_method?: string;
  access_token_ttl?: number | string;
  refresh_token_ttl?: number | string;
  refresh_token_grace?: number | string;
  access_token_format?: string;
  resource_server_for?: string[];
}

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
  access_token_format: { type: 'string', enum: ['jwt', 'opaque'] },
  resource_server_for: { type: 'array', items: { type: 'string', maxLength: 2000 }, maxItems: 50 },
} as const;

const createBody = {
  type: 'object',
  required: ['client_name'],
  additionalProperties: false,
  properties: { ...clientProperties, client_id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const updateBody = { type: 'object', minProperties: 1, additionalProperties: false, properties: clientProperties } as const;

function toInput(body: ClientBody): ClientInput {
  const input: ClientInput = {};
  if (body.client_name !== undefined) input.name = body.client_name;
  if (body.client_id !== undefined) input.clientId = body.client_id;
  if (body.redirect_uris !== undefined) input.redirectUris = body.redirect_uris;
  if (body.grant_types !== undefined) input.grantTypes = body.grant_types;
  if (body.scope !== undefined) input.scopes = body.scope;
  if (body.public !== undefined) input.public = body.public;
  if (body.token_endpoint_auth_method !== undefined) input.tokenEndpointAuthMethod = body.token_endpoint_auth_method;
  const accessTtl = toSeconds(body.access_token_ttl);
  const refreshTtl = toSeconds(body.refresh_token_ttl);
  const grace = toSeconds(body.refresh_token_grace);
  if (accessTtl !== undefined) input.accessTokenTtl = accessTtl;
  if (refreshTtl !== undefined) input.refreshTokenTtl = refreshTtl;
  if (grace !== undefined) input.refreshTokenGrace = grace;
  if (body.access_token_format !== undefined) input.accessTokenFormat = body.access_token_format;
  if (body.resource_server_for !== undefined) input.resourceServerFor = body.resource_server_for;
  return input;
}

async function requireClient(services: Services, clientId: string): Promise<ClientRecord> {
  const client = await services.store.getClient(clientId);
  if (!client) throw notFound(`no client with id "${clientId}"`);
  return client;
}

export const clientRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.post<{ Body: ClientBody }>('/', { schema: { body: createBody } }, async (request, reply) => {
    const { client, clientSecret } = await services.clients.create(toInput(request.body)).catch((error: unknown) => {
      throw error instanceof DuplicateError ? conflict(`a client with id "${request.body.client_id ?? ''}" already exists`) : error;
    });
    return reply.code(201).header('Location', `/admin/clients/${encodeURIComponent(client.clientId)}`).send(clientView(client, clientSecret));
  });

  app.get('/', async () => ({ clients: (await services.store.listClients()).map((client) => clientView(client)) }));

  app.get<{ Params: { id: string } }>('/:id', { schema: { params: idParams('id') } }, async (request) => {
    return clientView(await requireClient(services, request.params.id));
  });

  app.patch<{ Params: { id: string }; Body: ClientBody }>('/:id', { schema: { params: idParams('id'), body: updateBody } }, async (request) => {
    await requireClient(services, request.params.id);
    return clientView(await services.clients.update(request.params.id, toInput(request.body)));
  });

  app.delete<{ Params: { id: string } }>('/:id', { schema: { params: idParams('id') } }, async (request, reply) => {
    if (!(await services.clients.delete(request.params.id))) throw notFound(`no client with id "${request.params.id}"`);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/:id/rotate-secret', { schema: { params: idParams('id') } }, async (request) => {
    await requireClient(services, request.params.id);
    const { client, clientSecret } = await services.clients.rotateSecret(request.params.id);
    return clientView(client, clientSecret);
  });
};
