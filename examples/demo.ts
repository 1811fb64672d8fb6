// `npm run demo`: Gatehouse, the leads API, the leads MCP server and the third-party integration app together,
// seeded, in one process.
// Honours the GATEHOUSE_* settings; DEMO_USERNAME / DEMO_PASSWORD pick the demo user (demo / demo-password).
// `npm run demo -- --own-sign-in` adds the platform's own sign-in and consent app (examples/platform-sign-in):
// Gatehouse sends the browser there, and the leads belong to the platform's user (PLATFORM_USERNAME, dana).
import { loadConfig } from '../src/config.js';
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
  username: string;
  password: string;
  leadsApiPort: number;
  leadsMcpPort: number;
  integrationAppPort: number;
  host: string;
  platform: PlatformSettings;
}

export function demoSettings(env: Record<string, string | undefined> = process.env): DemoSettings {
  return {
    username: env.DEMO_USERNAME || 'demo',
    password: env.DEMO_PASSWORD || 'demo-password',
    leadsApiPort: Number(env.LEADS_API_PORT || 4000),
    leadsMcpPort: Number(env.LEADS_MCP_PORT || 4100),
    integrationAppPort: Number(env.INTEGRATION_APP_PORT || 3000),
    host: env.DEMO_HOST || 'localhost',
    platform: platformSettings(env),
  };
}

/** Creates what the demo needs, or refreshes it on a second run (client secrets are only stored hashed, so they are rotated). */
async function seed(services: Services, settings: DemoSettings, appUrl: string, leadsMcpUrl: string) {
  let user = await services.store.getUserByUsername(settings.username);
  if (!user) user = await services.accounts.createUser({ username: settings.username, password: settings.password, name: 'Demo User' });
  else await services.accounts.setPassword(settings.username, settings.password);

  const integration = { name: 'LeadSync', redirectUris: [`${appUrl}/callback`], scopes: 'read:leads write:leads' };
  // The leads API introspects the integration's tokens: it must be registered as the resource server of their audience.
  const resourceServer = { name: 'Leads API', grantTypes: ['client_credentials'], scopes: '', resourceServerFor: [services.config.defaultAudience] };
  const upsert = async (clientId: string, input: object) => {
    try {
      return (await services.clients.create({ clientId, ...input })).clientSecret!;
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
      await services.clients.update(clientId, input);
      return (await services.clients.rotateSecret(clientId)).clientSecret;
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
  // Gatehouse reads where its login and consent pages are from its configuration, so they are set before loading it.
  // MCP clients that register themselves (MCP Inspector, …) can connect to the demo's MCP server: dynamic registration
  // is open unless GATEHOUSE_REGISTRATION says otherwise (it is off by default outside the demo).
  const demoEnv = { GATEHOUSE_REGISTRATION: 'open', ...env };
  const config = loadConfig(options.ownSignIn
    ? { ...demoEnv, GATEHOUSE_LOGIN_URL: `${platformUrl}/oauth/login`, GATEHOUSE_CONSENT_URL: `${platformUrl}/oauth/consent` }
    : demoEnv);
  const appUrl = `http://localhost:${settings.integrationAppPort}`;
  const leadsApiUrl = `http://localhost:${settings.leadsApiPort}`;
  const leadsMcpUrl = `http://localhost:${settings.leadsMcpPort}/mcp`;
  const services = await openServices(config, { clock });
  const seeded = await seed(services, settings, appUrl, leadsMcpUrl);
  const gatehouse = await startServer(services);

  const platform = options.ownSignIn
    ? await startPlatform(settings.platform, settings.platform.adminUrl ?? gatehouse.adminUrl, () => Math.floor(clock.now() / 1000))
    : undefined;

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
  await leadsApi.listen({ port: settings.leadsApiPort, host: settings.host });
  // The same leads as an MCP server for AI agents (one store: what an agent adds, the integration app lists).
  const leadsMcp = await buildLeadsMcp({ issuer: config.issuer, resource: leadsMcpUrl, leads, now: () => clock.now() });
  await leadsMcp.listen({ port: settings.leadsMcpPort, host: settings.host });
  const integrationApp = await buildIntegrationApp({
    issuer: config.issuer,
    clientId: 'leadsync',
    clientSecret: seeded.integrationSecret,
    appUrl,
    leadsApiUrl,
  });
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
    async close() {
      await Promise.allSettled([integrationApp.close(), leadsApi.close(), leadsMcp.close(), platform?.close()]);
      await gatehouse.close();
      await services.store.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const settings = demoSettings();
  const ownSignIn = process.argv.slice(2).includes('--own-sign-in');
  const demo = await startDemo(process.env, { ownSignIn });
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
  `);
  const stop = () => demo.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
