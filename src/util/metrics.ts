// The one Prometheus registry of the process, served at GET /metrics on the admin port (http/admin/metrics.ts).
// It lives here, at the bottom of the layers, so that the domain (OAuth series, domain/oauth-metrics.ts) and the
// HTTP edges (latency) can both add to it. Node's default metrics are in it.
import { collectDefaultMetrics, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
metricsRegistry.setDefaultLabels({ app: 'gatehouse' });
collectDefaultMetrics({ register: metricsRegistry, prefix: 'gatehouse_' });
