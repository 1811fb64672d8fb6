// GET /healthz (open, for load balancers: is the database answering?) and GET /metrics (Prometheus).
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../../services.js';
import { metricsRegistry } from '../metrics.js';

export const healthRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/healthz', async (request, reply) => {
    try {
      await services.store.listSigningKeys();
      return { status: 'ok' };
    } catch (error) {
      request.log.error({ err: error }, 'health check: the store did not answer');
      return reply.code(503).send({ status: 'unavailable', error: 'store_unavailable', error_description: 'the database did not answer' });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
};
