// Probes for load balancers and orchestrators, and metrics:
//   GET /healthz  liveness: the process answers. It touches nothing else, so a database outage never gets a
//                 healthy process restarted (restarting would not bring the database back).
//   GET /readyz   readiness: the store takes a write (store.probeWrite). A read-only, full or locked database
//                 takes this instance out of rotation instead of letting it answer writes with errors.
//   GET /metrics  Prometheus.
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../../services.js';
import { metricsRegistry } from '../metrics.js';

/** A probe that has not finished by then is a failure: the database is unreachable or stuck. */
export const READINESS_TIMEOUT_MS = 5000;

interface ProbeFailure {
  error: 'store_read_only' | 'store_busy' | 'store_full' | 'store_timeout' | 'store_unavailable';
  description: string;
}

class ProbeTimeout extends Error {}

/** What went wrong, from the driver's error code (SQLite's SQLITE_* names, PostgreSQL's SQLSTATEs). */
function describeFailure(error: unknown): ProbeFailure {
  if (error instanceof ProbeTimeout) return { error: 'store_timeout', description: `the database did not answer a write within ${READINESS_TIMEOUT_MS / 1000} s` };
  const raw = (error as { code?: unknown } | null)?.code;
  // Only a code-shaped value is quoted: a driver message may carry details that do not belong in an answer.
  const code = typeof raw === 'string' && /^[A-Z0-9_]{1,40}$/.test(raw) ? raw : undefined;
  const suffix = code ? ` (${code})` : '';
  if (code?.startsWith('SQLITE_READONLY') || code === '25006') {
    return { error: 'store_read_only', description: `the database is read-only${suffix}` };
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === '55P03' || code === '57014') {
    return { error: 'store_busy', description: `the database is locked by another writer${suffix}` };
  }
  if (code === 'SQLITE_FULL' || code === '53100') return { error: 'store_full', description: `the database disk is full${suffix}` };
  return { error: 'store_unavailable', description: `the database did not accept a write${suffix}` };
}

export const healthRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new ProbeTimeout()), READINESS_TIMEOUT_MS);
    });
    try {
      await Promise.race([services.store.probeWrite(services.now()), timeout]);
      return { status: 'ready' };
    } catch (error) {
      const failure = describeFailure(error);
      request.log.error({ err: error, failure: failure.error }, 'readiness: the store did not take a write');
      return reply.code(503).send({ status: 'unavailable', error: failure.error, error_description: failure.description });
    } finally {
      clearTimeout(timer);
    }
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
};
