// The platform's sign-in app with its settings (PLATFORM_*), its SQLite file and its one seeded user: started by
// `npm run demo -- --own-sign-in` (demo.ts) and by `npm run platform-sign-in` (main.ts).
import type { FastifyInstance } from 'fastify';
import { buildPlatformApp } from './app.js';
import { PlatformDb, type PlatformUser } from './platform-db.js';

export interface PlatformSettings {
  port: number;
  host: string;
  /** The user the platform is seeded with (the password is set again on every start). */
  username: string;
  password: string;
  /** Its SQLite file (users and sessions), apart from Gatehouse's database. */
  database: string;
  /** Gatehouse's admin API; the demo uses the one it starts when this is unset. */
  adminUrl: string | undefined;
  /** Sent as a Bearer token when Gatehouse has GATEHOUSE_ADMIN_TOKEN (and this app is not in GATEHOUSE_LOGIN_APP_ADDRESSES). */
  adminToken: string | undefined;
  name: string;
}

export function platformSettings(env: Record<string, string | undefined> = process.env): PlatformSettings {
  return {
    port: Number(env.PLATFORM_PORT || 3100),
    host: env.PLATFORM_HOST || env.DEMO_HOST || 'localhost',
    username: env.PLATFORM_USERNAME || 'dana',
    password: env.PLATFORM_PASSWORD || 'dana-password',
    database: env.PLATFORM_DATABASE || './data/platform.db',
    adminUrl: env.PLATFORM_ADMIN_URL || undefined,
    adminToken: env.PLATFORM_ADMIN_TOKEN || env.GATEHOUSE_ADMIN_TOKEN || undefined,
    name: env.PLATFORM_NAME || 'Acme',
  };
}

export interface RunningPlatform {
  url: string;
  user: PlatformUser;
  close(): Promise<void>;
}

/** `now`: epoch seconds (the demo passes Gatehouse's clock so tests can move time). */
export async function startPlatform(settings: PlatformSettings, adminUrl: string, now?: () => number): Promise<RunningPlatform> {
  const db = new PlatformDb(settings.database, now);
  let app: FastifyInstance | undefined;
  try {
    const user = await db.upsertUser({
      username: settings.username,
      password: settings.password,
      name: 'Dana Whitfield',
      email: `${settings.username}@acme.example`,
    });
    app = await buildPlatformApp({ adminUrl, adminToken: settings.adminToken, db, platformName: settings.name });
    await app.listen({ port: settings.port, host: settings.host });
    const running = app;
    return {
      url: `http://localhost:${settings.port}`,
      user,
      async close() {
        await running.close();
        db.close();
      },
    };
  } catch (error) {
    await app?.close();
    db.close();
    throw error;
  }
}
