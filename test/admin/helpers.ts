// An admin app over a fresh SQLite database, driven with app.inject.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildAdminApp, type AdminAppOptions } from '../../src/http/admin/app.js';
import { openServices, type Services } from '../../src/services.js';

export interface AdminFixture {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

export async function adminFixture(env: Record<string, string> = {}, options: AdminAppOptions = {}): Promise<AdminFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-admin-'));
  const services = await openServices(
    loadConfig({
      GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      GATEHOUSE_SECRET: 'admin-test-secret-0123456789-abcdefghijklmnop',
      GATEHOUSE_ISSUER: 'http://127.0.0.1:4444',
      GATEHOUSE_LOG_LEVEL: 'silent',
      ...env,
    }),
  );
  const app = buildAdminApp(services, options);
  await app.ready();
  return {
    app,
    services,
    async close() {
      await app.close();
      await services.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
