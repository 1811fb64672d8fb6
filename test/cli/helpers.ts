// Runs the real gatehouse command (as built into dist/) as a child process against a temporary SQLite database, and makes
// tokens in that same database through the services (as the token endpoint would) for the tests that need them.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { randomId, randomToken, sha256Hex } from '../../src/domain/crypto.js';
import { openServices, type Services } from '../../src/services.js';
import { builtCli } from '../helpers/built-cli.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_SECRET = 'cli-test-secret-0123456789-abcdefghijklmnop';

export interface CliResult {
  code: number | null;
  stdout: string;
  /** stderr without the database line below, so that tests of other output compare what the command said. */
  stderr: string;
  /** The "Using database … (issuer …)" or "Creating new database at …" line every database command starts stderr with, if printed. */
  database?: string;
}

const DATABASE_LINE = /^(Using database|Creating new database at) [^\n]*\n/;

export interface CliEnv {
  env: Record<string, string>;
  /** Runs `gatehouse ...args` with this environment; `input` is written to its stdin. */
  run(args: string[], input?: string): Promise<CliResult>;
  /** The services over the same database, opened for one piece of work and closed again. */
  withServices<T>(work: (services: Services) => Promise<T>): Promise<T>;
  remove(): void;
}

/** `migrated: false` leaves the database file uncreated, for tests of what commands do without one. */
export function cliEnv(extra: Record<string, string> = {}, { migrated = true }: { migrated?: boolean } = {}): CliEnv {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  const env: Record<string, string> = {
    GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    GATEHOUSE_SECRET: TEST_SECRET,
    GATEHOUSE_ISSUER: 'http://127.0.0.1:4444',
    GATEHOUSE_LOG_LEVEL: 'silent',
    ...extra,
  };
  const withServices = async <T>(work: (services: Services) => Promise<T>): Promise<T> => {
    const services = await openServices(loadConfig(env));
    try {
      return await work(services);
    } finally {
      await services.store.close();
    }
  };
  // As `gatehouse migrate` would, once: commands other than serve and migrate refuse a missing database.
  let ready: Promise<unknown> | undefined = migrated ? undefined : Promise.resolve();
  return {
    env,
    async run(args, input) {
      await (ready ??= withServices(async () => undefined));
      return runCli(args, env, input);
    },
    withServices,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Starts `gatehouse ...args` and leaves it running; the caller ends it. */
export function startCli(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [builtCli(), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = startCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const database = DATABASE_LINE.exec(stderr)?.[0];
      resolvePromise(database ? { code, stdout, stderr: stderr.slice(database.length), database: database.trimEnd() } : { code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

export interface IssuedTokens {
  grantId: string;
  accessToken: string;
  refreshToken: string | null;
}

/**
 * What a code exchange leaves in the store: a grant for the user and client, with an access token and
 * (when the client has the refresh_token grant) a refresh token. `ageSeconds` back-dates it all.
 */
export async function issueUserTokens(services: Services, clientId: string, username: string, scopes: string[], ageSeconds = 0): Promise<IssuedTokens> {
  const client = await services.clients.require(clientId);
  const user = await services.store.getUserByUsername(username);
  if (!user) throw new Error(`test setup: no user ${username}`);
  const now = Math.floor(Date.now() / 1000) - ageSeconds;
  const code = randomToken();
  await services.store.saveAuthorizationCode({
    codeHash: sha256Hex(code),
    clientId,
    userId: user.id,
    redirectUri: client.redirectUris[0]!,
    scopes,
    nonce: null,
    codeChallenge: null,
    codeChallengeMethod: null,
    authTime: now,
    createdAt: now,
    expiresAt: now + 60,
    consumedAt: null,
    grantId: null,
    granted: null,
    sessionId: null,
    dpopJkt: null,
  });
  const grantId = `grant_${randomId()}`;
  const access = await services.tokens.issueAccessToken({ client, userId: user.id, scopes, audience: [services.config.defaultAudience], grantId, authTime: now, now });
  const refresh = client.grantTypes.includes('refresh_token') ? services.tokens.issueRefreshToken(client, grantId, user.id, scopes, now) : null;
  const result = await services.store.redeemAuthorizationCode(
    sha256Hex(code),
    now,
    { id: grantId, clientId, userId: user.id, scopes, authTime: now, nonce: null, createdAt: now, lastUsedAt: now, revokedAt: null, revokedReason: null, granted: null, sessionId: null },
    { accessToken: access.record, refreshToken: refresh?.record ?? null },
  );
  if (!result.ok) throw new Error('test setup: code redemption failed');
  return { grantId, accessToken: access.token, refreshToken: refresh?.token ?? null };
}
