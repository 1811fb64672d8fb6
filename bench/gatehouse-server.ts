// Gatehouse under test, in its own process: the project's public pieces (loadConfig, openServices, startServer)
// over the database GATEHOUSE_DATABASE_URL names, with the bench's clients and user created before it listens.
// Prints one JSON line (ServerInfo) on stdout when ready; exits cleanly on SIGTERM/SIGINT so that
// --cpu-prof can write its profile.
import { loadConfig } from '../src/config.js';
import { openServices } from '../src/services.js';
import { startServer } from '../src/http/server.js';
import type { ClientInput } from '../src/domain/clients.js';
import { CLIENT_SCOPES, PASSWORD, REDIRECT_URI, USERNAME, type ClientCredentials, type ServerInfo } from './harness/fixtures.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const services = await openServices(config);

  async function client(input: ClientInput): Promise<ClientCredentials> {
    const { client: record, clientSecret } = await services.clients.create(input);
    if (clientSecret === null) throw new Error(`client ${record.clientId} has no secret`);
    return { id: record.clientId, secret: clientSecret };
  }

  const basic = { tokenEndpointAuthMethod: 'client_secret_basic', scopes: CLIENT_SCOPES };
  const clients = {
    ccJwt: await client({ ...basic, name: 'Bench CC JWT', clientId: 'bench-cc-jwt', grantTypes: ['client_credentials'] }),
    ccOpaque: await client({
      ...basic, name: 'Bench CC opaque', clientId: 'bench-cc-opaque', grantTypes: ['client_credentials'], accessTokenFormat: 'opaque',
    }),
    web: await client({
      ...basic, name: 'Bench web app', clientId: 'bench-web', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI],
    }),
    introspector: await client({
      ...basic, name: 'Bench resource server', clientId: 'bench-rs', grantTypes: ['client_credentials'], resourceServerFor: [config.defaultAudience],
    }),
  };
  await services.accounts.createUser({ username: USERNAME, password: PASSWORD });

  const server = await startServer(services);
  const info: ServerInfo = {
    ready: true,
    url: server.publicUrl,
    issuer: config.issuer,
    tokenPath: '/oauth2/token',
    introspectionPath: '/oauth2/introspect',
    authorizePath: '/oauth2/authorize',
    clients,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await services.store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
