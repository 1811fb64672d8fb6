// `npm run demo`: Gatehouse, the leads API, the leads MCP server and the third-party integration app together,
// seeded, in one process.
// Honours the GATEHOUSE_* settings except the database: the demo keeps everything in its own folder, DEMO_DATA
// (./data/demo: its Gatehouse database, the seeded clients' secrets, the platform's users), so it never touches the
// server's ./data database; DEMO_DATABASE_URL may name another database for it (e.g. PostgreSQL).
// DEMO_USERNAME / DEMO_PASSWORD pick the demo user (demo / demo-password).
// `npm run demo -- --own-sign-in` adds the platform's own sign-in and consent app (examples/platform-sign-in):
// Gatehouse sends the browser there, and the leads belong to the platform's user (PLATFORM_USERNAME, dana).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../src/config.js';
import { listenErrorMessage, type PortSettings } from '../src/cli/listen-error.js';
import { scrubMessage, userErrorMessage } from '../src/cli/errors.js';
import { openServices, type Services } from '../src/services.js';
import { startServer } from '../src/http/server.js';
import { DuplicateError } from '../src/store/errors.js';
import { buildLeadsApi } from './leads-api/app.js';
import { LeadStore, SAMPLE_LEADS } from './leads-api/leads-store.js';
import { buildIntegrationApp } from './integration-app/app.js';
import { buildLeadsMcp } from './leads-mcp/app.js';
import { systemClock, type Clock } from '../src/util/clock.js';
import { platformSettings, startPlatform, type PlatformSettings } from './platform-sign-in/start.js';

export interface DemoSettings {
  /** The demo's own folder (absolute). */
  dataDir: string;
  /** Its Gatehouse database: DEMO_DATABASE_URL, else gatehouse.db in dataDir (never GATEHOUSE_DATABASE_URL). */
  databaseUrl: string;
  username: string;
  password: string;
  leadsApiPort: number;
  leadsMcpPort: number;
  integrationAppPort: number;
  host: string;
  platform: PlatformSettings;
}

export function demoSettings(env: Record<string, string | undefined> = process.env): DemoSettings {
  const dataDir = resolve(env.DEMO_DATA || './data/demo');
  return {
    dataDir,
    databaseUrl: env.DEMO_DATABASE_URL || `sqlite:${join(dataDir, 'gatehouse.db')}`,
    username: env.DEMO_USERNAME || 'demo',
    password: env.DEMO_PASSWORD || 'demo-password',
    leadsApiPort: Number(env.LEADS_API_PORT || 4000),
    leadsMcpPort: Number(env.LEADS_MCP_PORT || 4100),
    integrationAppPort: Number(env.INTEGRATION_APP_PORT || 3000),
    host: env.DEMO_HOST || 'localhost',
    platform: platformSettings({ ...env, PLATFORM_DATABASE: env.PLATFORM_DATABASE || join(dataDir, 'platform.db') }),
  };
}

/** The ports the demo listens on and the setting that chooses each, for the one-line error a taken port gives. */
function demoPorts(config: Config, settings: DemoSettings): PortSettings {
  return [
    [config.port, 'GATEHOUSE_PORT'],
    [config.adminPort, 'GATEHOUSE_ADMIN_PORT'],
    [settings.leadsApiPort, 'LEADS_API_PORT'],
    [settings.leadsMcpPort, 'LEADS_MCP_PORT'],
    [settings.integrationAppPort, 'INTEGRATION_APP_PORT'],
    [settings.platform.port, 'PLATFORM_PORT'],
  ];
}

/** A failure the person running the demo can fix, told in one line. */
export class DemoError extends Error {}

/** The seeded clients' secrets, kept in the demo's folder: Gatehouse stores only their hashes. */
class SecretFile {
  private readonly path: string;
  constructor(dataDir: string) {
    this.path = join(dataDir, 'client-secrets.json');
  }
  read(): Record<string, string> {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>) : {};
  }
  get(clientId: string): string | undefined {
    return this.read()[clientId];
  }
  set(clientId: string, secret: string): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    writeFileSync(this.path, JSON.stringify({ ...this.read(), [clientId]: secret }, null, 2) + '\n', { mode: 0o600 });
  }
  toString(): string {
    return this.path;
  }
}

/**
 * Creates what the demo needs, or reuses it on a later run. An existing client keeps its secret (read back from
 * the demo's folder): the demo never rotates a secret something else may be using.
 */
async function seed(services: Services, settings: DemoSettings, appUrl: string, leadsMcpUrl: string) {
  let user = await services.store.getUserByUsername(settings.username);
  if (!user) user = await services.accounts.createUser({ username: settings.username, password: settings.password, name: 'Demo User' });
  else await services.accounts.setPassword(settings.username, settings.password);

  const secrets = new SecretFile(settings.dataDir);
  const integration = { name: 'LeadSync', redirectUris: [`${appUrl}/callback`], scopes: 'read:leads write:leads' };
  // The leads API introspects the integration's tokens: it must be registered as the resource server of their audience.
  const resourceServer = { name: 'Leads API', grantTypes: ['client_credentials'], scopes: '', resourceServerFor: [services.config.defaultAudience] };
  const upsert = async (clientId: string, input: object): Promise<string> => {
    try {
      const secret = (await services.clients.create({ clientId, ...input })).clientSecret!;
      secrets.set(clientId, secret);
      return secret;
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
      const known = secrets.get(clientId);
      if (known === undefined) {
        throw new DemoError(
          `client "${clientId}" already exists in the demo's database but its secret is not in ${secrets}; the demo never rotates an existing client's secret: delete the client or use another DEMO_DATA folder`,
        );
      }
      // Ports may have changed since the last run: the redirect URI and audience follow them.
      await services.clients.update(clientId, input);
      return known;
    }
  };
  // MCP clients ask for tokens for the MCP server's URL (RFC 8707 `resource`): it must be a registered resource.
  if (!(await services.store.getResource(leadsMcpUrl))) {
    await services.resources.create({ uri: leadsMcpUrl, name: 'Leads MCP server', scopes: 'read:leads write:leads' });
  }
  return {
    user,
    integrationSecret: await upsert('leadsync', integration),
    leadsApiSecret: await upsert('leads-api', resourceServer),
  };
}

export interface DemoOptions {
  /** Gatehouse's and the leads API's clock (tests move it; the default is the system clock). */
  clock?: Clock;
  /** Sign-in and consent on the platform's own app (its own users), through Gatehouse's login and consent API. */
  ownSignIn?: boolean;
}

export async function startDemo(env: Record<string, string | undefined> = process.env, options: DemoOptions = {}) {
  const clock = options.clock ?? systemClock;
  const settings = demoSettings(env);
  const platformUrl = `http://localhost:${settings.platform.port}`;
  // The demo's own database, whatever GATEHOUSE_DATABASE_URL says; Gatehouse reads where its login and consent
  // pages are from its configuration, so they are set before loading it. MCP clients that register themselves
  // (MCP Inspector, …) can connect to the demo's MCP server: dynamic registration is open unless
  // GATEHOUSE_REGISTRATION says otherwise (it is off by default outside the demo).
  const config = loadConfig({
    GATEHOUSE_REGISTRATION: 'open',
    ...env,
    GATEHOUSE_DATABASE_URL: settings.databaseUrl,
    ...(options.ownSignIn ? { GATEHOUSE_LOGIN_URL: `${platformUrl}/oauth/login`, GATEHOUSE_CONSENT_URL: `${platformUrl}/oauth/consent` } : {}),
  });
  const appUrl = `http://localhost:${settings.integrationAppPort}`;
  const leadsApiUrl = `http://localhost:${settings.leadsApiPort}`;
  const leadsMcpUrl = `http://localhost:${settings.leadsMcpPort}/mcp`;
  const services = await openServices(config, { clock });
  // What is running so far, closed in reverse if a later part fails (a taken port), so nothing is left listening.
  const running: Array<() => Promise<unknown>> = [() => services.store.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of running.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const seeded = await seed(services, settings, appUrl, leadsMcpUrl);
    const gatehouse = await startServer(services);
    running.push(() => gatehouse.close());

    const platform = options.ownSignIn
      ? await startPlatform(settings.platform, settings.platform.adminUrl ?? gatehouse.adminUrl, () => Math.floor(clock.now() / 1000))
      : undefined;
    if (platform) running.push(() => platform.close());

    // The leads API keys leads by the token's `sub`: the platform's user with its own sign-in, else Gatehouse's demo user.
    const leads = new LeadStore();
    for (const lead of SAMPLE_LEADS) leads.add(platform?.user.subject ?? seeded.user.id, lead);
    const leadsApi = await buildLeadsApi({
      issuer: config.issuer,
      audience: config.defaultAudience,
      resource: leadsApiUrl,
      leads,
      // Ask Gatehouse about every token (cached 2 s) so that revoking in Connected apps takes effect within 2 seconds.
      introspection: { clientId: 'leads-api', clientSecret: seeded.leadsApiSecret },
      introspectJwts: true,
      introspectionCacheSeconds: 2,
      now: () => clock.now(),
    });
    running.push(() => leadsApi.close());
    await leadsApi.listen({ port: settings.leadsApiPort, host: settings.host });
    // The same leads as an MCP server for AI agents (one store: what an agent adds, the integration app lists).
    const leadsMcp = await buildLeadsMcp({ issuer: config.issuer, resource: leadsMcpUrl, leads, now: () => clock.now() });
    running.push(() => leadsMcp.close());
    await leadsMcp.listen({ port: settings.leadsMcpPort, host: settings.host });
    const integrationApp = await buildIntegrationApp({
      issuer: config.issuer,
      clientId: 'leadsync',
      clientSecret: seeded.integrationSecret,
      appUrl,
      leadsApiUrl,
    });
    running.push(() => integrationApp.close());
    await integrationApp.listen({ port: settings.integrationAppPort, host: settings.host });
    return {
      appUrl,
      leadsApiUrl,
      leadsMcpUrl,
      issuer: config.issuer,
      adminUrl: gatehouse.adminUrl,
      services,
      /** With `ownSignIn`: the platform app's URL and its user. */
      platform: platform && { url: platformUrl, user: platform.user },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    // A taken port is the one line `gatehouse serve` (npm start) prints, naming the setting to change.
    const message = listenErrorMessage(error, demoPorts(config, settings));
    throw message !== undefined ? new DemoError(message) : error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const settings = demoSettings();
  const ownSignIn = process.argv.slice(2).includes('--own-sign-in');
  let demo: Awaited<ReturnType<typeof startDemo>>;
  try {
    demo = await startDemo(process.env, { ownSignIn });
  } catch (error) {
    // As the gatehouse command answers: `error: …` on one line, exit 1.
    const message = error instanceof DemoError ? error.message : userErrorMessage(error) ?? scrubMessage(error instanceof Error ? error.message : String(error));
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  }
  const signIn = demo.platform
    ? `Sign in on ${settings.platform.name}'s own page as ${settings.platform.username} / ${settings.platform.password}.`
    : `Sign in as ${settings.username} / ${settings.password}.`;
  // With the platform's own sign-in there is no Gatehouse account to open Connected apps with.
  const gatehouseLine = demo.platform ? demo.issuer : `${demo.issuer}   connected apps: ${demo.issuer}/account/apps`;
  console.log(`
  Gatehouse demo is running${ownSignIn ? ' with the platform\'s own sign-in' : ''}.

    Open ${demo.appUrl} and press "Connect your account".
    ${signIn}

    Gatehouse (issuer)  ${gatehouseLine}
    Leads API           ${demo.leadsApiUrl}/api/leads
    Leads MCP server    ${demo.leadsMcpUrl}   (MCP clients: add it as a Streamable HTTP server; they sign in through Gatehouse)${demo.platform ? `
    Platform sign-in    ${demo.platform.url}/oauth/login and /oauth/consent (users in ${settings.platform.database})` : ''}
    Demo data           ${settings.dataDir} (its own folder: the server's ./data is never touched)
  `);
  const stop = () => demo.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
