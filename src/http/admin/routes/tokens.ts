// /admin/tokens/inspect: what a token is and whether it still works (the token is never echoed back).
import type { FastifyPluginAsync } from 'fastify';
import { inspectToken } from '../../../domain/token-inspection.js';
import type { Services } from '../../../services.js';
import { tokenReportView } from '../../../admin/views.js';

const inspectBody = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: { token: { type: 'string', minLength: 1, maxLength: 16384 } },
} as const;

export const tokenRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.post<{ Body: { token: string } }>('/inspect', { schema: { body: inspectBody } }, async (request) => {
    return tokenReportView(await inspectToken(services, request.body.token, services.now()));
  });
};
