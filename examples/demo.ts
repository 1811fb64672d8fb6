// `npm run demo`: Gatehouse, the leads API and the third-party integration app together, seeded, in one process.
// Honours the GATEHOUSE_* settings; DEMO_USERNAME / DEMO_PASSWORD pick the demo user (demo / demo-password).
import { loadConfig } from '../src/config.js';
import { openServices, type Services } from '../src/services.js';
import { startServer } from '../src/http/server.js';
import { DuplicateError } from '../src/store/errors.js';
import { buildLeadsApi } from './leads-api/app.js';
import { LeadStore, SAMPLE_LEADS } from './leads-api/leads-store.js';
import { buildIntegrationApp } from './integration-app/app.js';
import { systemClock, type Clock } from '../src/util/clock.js';

export interface DemoSettings {
  username: string;
  password: string;
  leadsApiPort: number;
  integrationAppPort: number;
  host: string;
}

export function demoSettings(env: Record<string, string | undefined> = process.env): DemoSettings {
  return {
    username: env.DEMO_USERNAME || 'demo',
    password: env.DEMO_PASSWORD || 'demo-password',
    leadsApiPort: Number(env.LEADS_API_PORT || 4000),
    integrationAppPort: Number(env.INTEGRATION_APP_PORT || 3000),
    host: env.DEMO_HOST || 'localhost',
  };
}

/** Creates what the demo needs, or refreshes it on a second run (client secrets are only stored hashed, so they are rotated). */
async function seed(services: Services, settings: DemoSettings, appUrl: string) {
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
  return {
    user,
    integrationSecret: await upsert('leadsync', integration),
    leadsApiSecret: await upsert('leads-api', resourceServer),
  };
}

/** `clock` is Gatehouse's and the leads API's (tests move it; the default is the system clock). */
export async function startDemo(env: Record<string, string | undefined> = process.env, options: { clock?: Clock } = {}) {
  const clock = options.clock ?? systemClock;
  const config = loadConfig(env);
  const settings = demoSettings(env);
  const appUrl = `http://localhost:${settings.integrationAppPort}`;
  const leadsApiUrl = `http://localhost:${settings.leadsApiPort}`;
  const services = await openServices(config, { clock });
  const seeded = await seed(services, settings, appUrl);
  const gatehouse = await startServer(services);

  const leads = new LeadStore();
  for (const lead of SAMPLE_LEADS) leads.add(seeded.user.id, lead);
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
    issuer: config.issuer,
    services,
    async close() {
      await Promise.allSettled([integrationApp.close(), leadsApi.close()]);
      await gatehouse.close();
      await services.store.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const settings = demoSettings();
  const demo = await startDemo();
  console.log(`
  Gatehouse demo is running.

    Open ${demo.appUrl} and press "Connect your account".
    Sign in as ${settings.username} / ${settings.password}.

    Gatehouse (issuer)  ${demo.issuer}   connected apps: ${demo.issuer}/account/apps
    Leads API           ${demo.leadsApiUrl}/api/leads
  `);
  const stop = () => demo.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
