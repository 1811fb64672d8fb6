// Starts a real Gatehouse (public + admin apps) on free loopback ports over a fresh database, for end-to-end tests.
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { openServices, type Services } from '../../src/services.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { createTestDatabase, type BackendName } from './databases.js';
import { systemClock, type Clock } from '../../src/util/clock.js';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface TestServer {
  issuer: string;
  adminUrl: string;
  config: Config;
  services: Services;
  /** The server's clock (the one passed in, or the system clock). */
  clock: Clock;
  server: RunningServer;
  close(): Promise<void>;
}

/** A temporary SQLite file URL and a function that removes it. */
export function tempSqliteUrl(): { url: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  return { url: `sqlite:${join(dir, 'gatehouse.db')}`, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServerOptions {
  /** A fresh database on this backend (default sqlite), unless databaseUrl names one. */
  backend?: BackendName;
  databaseUrl?: string;
  env?: Record<string, string>;
  logStream?: NodeJS.WritableStream;
  /** The server's clock (default: the system clock); pass a TestClock (helpers/clock.ts) to move time instead of waiting. */
  clock?: Clock;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.databaseUrl ? undefined : await createTestDatabase(options.backend ?? 'sqlite');
  const port = await freePort();
  // The OS may hand the port just released to the next ask: never start with both on one port.
  let adminPort = await freePort();
  while (adminPort === port) adminPort = await freePort();
  const config = loadConfig({
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_ADMIN_HOST: '127.0.0.1',
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_ADMIN_PORT: String(adminPort),
    GATEHOUSE_ISSUER: `http://127.0.0.1:${port}`,
    GATEHOUSE_DATABASE_URL: options.databaseUrl ?? database!.url,
    GATEHOUSE_SECRET: TEST_SECRET,
    GATEHOUSE_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const clock = options.clock ?? systemClock;
  const services = await openServices(config, { clock });
  let server: RunningServer;
  try {
    server = await startServer(services, { logStream: options.logStream });
  } catch (error) {
    await services.store.close();
    await database?.drop();
    throw error;
  }
  return {
    issuer: config.issuer,
    adminUrl: server.adminUrl,
    config,
    services,
    clock,
    server,
    async close() {
      await server.close();
      await services.store.close();
      await database?.drop();
    },
  };
}
