// The Prometheus registry served at GET /metrics on the admin port. Node's default metrics are in it;
// other modules add their own: `new Counter({ name: 'gatehouse_…', help: '…', registers: [metricsRegistry] })`.
import { collectDefaultMetrics, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
metricsRegistry.setDefaultLabels({ app: 'gatehouse' });
collectDefaultMetrics({ register: metricsRegistry, prefix: 'gatehouse_' });
