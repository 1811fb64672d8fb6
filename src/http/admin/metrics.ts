// The Prometheus registry served at GET /metrics on the admin port (util/metrics.ts holds it, so lower layers can
// add series). Other modules add their own: `new Counter({ name: 'gatehouse_…', help: '…', registers: [metricsRegistry] })`.
export { metricsRegistry } from '../../util/metrics.js';
