// node:http servers with the configured limits, so that a slow or idle client cannot hold a connection for
// minutes (slowloris) and a flood of connections cannot exhaust file descriptors. Used by the public port; the
// admin port can take the same function.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { HttpLimits } from '../config.js';

export function createLimitedServer(limits: HttpLimits, listener: RequestListener): Server {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // node checks the two timeouts above on this interval (30 s by default, which would let a 10 s limit run
    // to 40 s): check four times per shortest limit, but not more often than every 100 ms.
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
  }, listener);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}
