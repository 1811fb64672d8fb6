// The OAuth series on /metrics (docs/operations.md lists each with its labels). Label values are bounded: client_id is
// one of the registered clients (plus the https client_ids of metadata documents the host allow-list admits),
// grant_type and error are fixed vocabularies, route is the matched route pattern (never the raw URL), status a number.
import { Counter, Histogram, type LabelValues } from 'prom-client';
import { metricsRegistry } from '../util/metrics.js';

const registers = [metricsRegistry];

export const tokensIssued = new Counter({
  name: 'gatehouse_tokens_issued_total',
  help: 'Token responses issued by the token endpoint, by grant type and client',
  labelNames: ['grant_type', 'client_id'] as const,
  registers,
});

export const tokenErrors = new Counter({
  name: 'gatehouse_token_errors_total',
  help: 'Error answers of the token endpoint, by OAuth error code',
  labelNames: ['error'] as const,
  registers,
});

export const refreshReuse = new Counter({
  name: 'gatehouse_refresh_reuse_total',
  help: 'Rotated refresh tokens presented again (outside any grace window): the grant was revoked',
  registers,
});

export const revocations = new Counter({
  name: 'gatehouse_revocations_total',
  help: 'Grants and tokens revoked, by who revoked them (client, user, admin, platform, reuse, code_replay)',
  labelNames: ['by'] as const,
  registers,
});

export const signIns = new Counter({
  name: 'gatehouse_signins_total',
  help: 'Sign-ins by outcome: succeeded (login page, or a login the platform accepted), failed (login page)',
  labelNames: ['outcome'] as const,
  registers,
});

const requestDuration = new Histogram({
  name: 'gatehouse_http_request_duration_seconds',
  help: 'Time to answer a request, by matched route pattern, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers,
});

type Child = ReturnType<typeof requestDuration.labels>;
/** route → method → status → the histogram's child: the hot path looks its series up without building a label object. */
const children = new Map<string, Map<string, Map<number, Child>>>();

/** Records one answered request. `route` must be a route pattern (bounded), never a raw URL. */
export function observeRequest(route: string, method: string, status: number, seconds: number): void {
  let byMethod = children.get(route);
  if (!byMethod) children.set(route, (byMethod = new Map()));
  let byStatus = byMethod.get(method);
  if (!byStatus) byMethod.set(method, (byStatus = new Map()));
  let child = byStatus.get(status);
  if (!child) {
    const labels: LabelValues<'route' | 'method' | 'status'> = { route, method, status: String(status) };
    byStatus.set(status, (child = requestDuration.labels(labels)));
  }
  child.observe(seconds);
}
