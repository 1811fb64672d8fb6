// Starting Gatehouse: the public app and the admin app on their own ports over one set of services.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { buildPublicApp } from './public-app.js';
import { buildAdminApp } from './admin/app.js';
import { startHousekeeping } from '../domain/housekeeping.js';

/** How often each instance looks for back-channel logout deliveries that are due (retries). */
const LOGOUT_DELIVERY_INTERVAL_SECONDS = 5;

export interface RunningServer {
  publicUrl: string;
  adminUrl: string;
  publicApp: FastifyInstance;
  adminApp: FastifyInstance;
  close(): Promise<void>;
}

function urlOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startServer(services: Services, options: { logStream?: NodeJS.WritableStream } = {}): Promise<RunningServer> {
  const { config } = services;
  // A server that cannot open its signing keys would answer 500 to every token request: refuse to start instead.
  await services.keys.checkSecret();
  const publicApp = await buildPublicApp(services, options.logStream);
  const adminApp = await buildAdminApp(services);
  await publicApp.listen({ port: config.port, host: config.host });
  try {
    await adminApp.listen({ port: config.adminPort, host: config.adminHost });
  } catch (error) {
    await publicApp.close();
    throw error;
  }
  services.audit.useLogger(publicApp.log);
  const housekeeping = startHousekeeping(services.store, services.clock, config.cleanupIntervalSeconds, publicApp.log, config.auditRetentionSeconds);
  // Back-channel logout deliveries: sent as soon as a session ends, and due retries picked up on this beat.
  services.logout.start(LOGOUT_DELIVERY_INTERVAL_SECONDS, publicApp.log);
  publicApp.log.info({ issuer: config.issuer, public: urlOf(publicApp), admin: urlOf(adminApp) }, 'Gatehouse is listening');
  return {
    publicUrl: urlOf(publicApp),
    adminUrl: urlOf(adminApp),
    publicApp,
    adminApp,
    async close() {
      housekeeping.stop();
      await services.logout.stop();
      await Promise.allSettled([publicApp.close(), adminApp.close()]);
      // token.issued rows still queued are written before the store closes.
      await services.audit.flush();
    },
  };
}
