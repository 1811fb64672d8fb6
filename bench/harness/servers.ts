// Starting the two servers under test, each in its own process on loopback.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUDIENCE, isServerInfo, type ServerInfo } from './fixtures.js';
import { freePort, startChild, type Child } from './processes.js';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ROOT_DIR = join(BENCH_DIR, '..');

export type Server = Child<ServerInfo>;

export interface GatehouseOptions {
  /** sqlite:/path or postgres://… */
  databaseUrl: string;
  logFile: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Modules loaded after tsx, before the server (TypeScript allowed). */
  preload?: string[];
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
  name?: string;
}

/** Gatehouse as `node --import tsx bench/gatehouse-server.ts`, configured only through its environment. */
export async function startGatehouse(options: GatehouseOptions): Promise<Server> {
  const port = await freePort();
  let adminPort = await freePort();
  while (adminPort === port) adminPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_ADMIN_PORT: String(adminPort),
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_ADMIN_HOST: '127.0.0.1',
    GATEHOUSE_ISSUER: `http://127.0.0.1:${port}`,
    GATEHOUSE_DATABASE_URL: options.databaseUrl,
    GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
    GATEHOUSE_LOG_LEVEL: 'warn',
    GATEHOUSE_DEFAULT_AUDIENCE: AUDIENCE,
    // Codes are minted before the timed run that redeems them; 10 minutes, as for the reference.
    GATEHOUSE_CODE_TTL: '10m',
    // The load comes from one address, far beyond the default per-address limit; the limit is still counted.
    GATEHOUSE_RATE_LIMIT: '999999',
    ...options.env,
  };
  delete env.GATEHOUSE_CONFIG;
  delete env.GATEHOUSE_ADMIN_TOKEN;
  return startChild({
    name: options.name ?? 'gatehouse',
    args: [
      ...(options.nodeFlags ?? []),
      '--import', 'tsx',
      ...(options.preload ?? []).flatMap((module) => ['--import', module]),
      join(BENCH_DIR, 'gatehouse-server.ts'),
    ],
    env,
    logFile: options.logFile,
    isReady: isServerInfo,
  });
}

/** oidc-provider as `node --import tsx bench/reference-server.ts`. */
export async function startReference(options: { logFile: string; nodeFlags?: string[] }): Promise<Server> {
  const port = await freePort();
  return startChild({
    name: 'oidc-provider',
    args: [...(options.nodeFlags ?? []), '--import', 'tsx', join(BENCH_DIR, 'reference-server.ts')],
    env: { ...process.env, NODE_ENV: 'production', REFERENCE_PORT: String(port) },
    logFile: options.logFile,
    isReady: isServerInfo,
  });
}

/** The ceiling (bench/ceiling-server.ts): node:http and one ES256 signature per request, nothing else. */
export async function startCeiling(options: { logFile: string }): Promise<Server> {
  const port = await freePort();
  return startChild({
    name: 'ceiling',
    args: ['--import', 'tsx', join(BENCH_DIR, 'ceiling-server.ts')],
    env: { ...process.env, NODE_ENV: 'production', CEILING_PORT: String(port) },
    logFile: options.logFile,
    isReady: isServerInfo,
  });
}
