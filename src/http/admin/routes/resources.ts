// /admin/resources: register, list and delete resources (RFC 8707). DELETE takes the URI URL-encoded as one path
// segment: /admin/resources/https%3A%2F%2Fapi.example.com
import type { FastifyPluginAsync } from 'fastify';
import { createResource, deleteResource, listResources, type ResourceFields } from '../../../admin/resources.js';
import { resourceView } from '../../../admin/views.js';
import { MAX_RESOURCE_URI_LENGTH } from '../../../domain/resources.js';
import type { Services } from '../../../services.js';
import { NO_CONTROL_CHARACTERS } from './schemas.js';

const createBody = {
  type: 'object',
  required: ['uri'],
  additionalProperties: false,
  properties: {
    uri: { type: 'string', minLength: 1, maxLength: MAX_RESOURCE_URI_LENGTH, pattern: NO_CONTROL_CHARACTERS },
    name: { type: ['string', 'null'], maxLength: 100, pattern: NO_CONTROL_CHARACTERS },
    scope: { type: 'string', maxLength: 4096, pattern: NO_CONTROL_CHARACTERS },
  },
} as const;

const uriParams = {
  type: 'object',
  required: ['uri'],
  properties: { uri: { type: 'string', minLength: 1, maxLength: MAX_RESOURCE_URI_LENGTH, pattern: NO_CONTROL_CHARACTERS } },
} as const;

export const resourceRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.post<{ Body: ResourceFields }>('/', { schema: { body: createBody } }, async (request, reply) => {
    const resource = await createResource(services, request.body);
    return reply.code(201).header('Location', `/admin/resources/${encodeURIComponent(resource.uri)}`).send(resourceView(resource));
  });

  app.get('/', async () => ({ resources: (await listResources(services)).map(resourceView) }));

  app.delete<{ Params: { uri: string } }>('/:uri', { schema: { params: uriParams } }, async (request, reply) => {
    await deleteResource(services, request.params.uri);
    return reply.code(204).send();
  });
};
