// The request-duration histogram for the Fastify routes of both ports (the direct endpoints observe their own, in
// direct/listener.ts). The route label is the matched route pattern ("/admin/clients/:id"), never the raw URL, so
// its values are bounded by the routes registered; a request no route matched is "unmatched".
import type { FastifyInstance } from 'fastify';
import { observeRequest } from '../domain/oauth-metrics.js';

export function observeLatency(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
