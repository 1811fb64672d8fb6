// The reference: panva's oidc-provider (v8, the newest line that supports Node 20) in its own process on
// loopback, configured to match Gatehouse's bench setup:
//   - bench-cc-opaque / bench-cc-jwt: confidential (client_secret_basic) client_credentials clients; their
//     default resource server issues opaque tokens, or JWT access tokens signed with ES256;
//   - bench-web: authorization_code + refresh_token, PKCE S256 required, client_secret_basic, a refresh token
//     with every code exchange (as Gatehouse does), rotated on every use (rotateRefreshToken: true),
//     JWT ES256 access tokens for the resource server;
//   - bench-rs: a confidential client that introspects (features.introspection);
//   - sign-in and consent through the interaction flow, answered here without pages (see /interaction/:uid).
// Storage is in memory (bench/harness/reference-adapter.ts). Prints one JSON line (ServerInfo) when ready.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { Provider, errors } from 'oidc-provider';
import { UnboundedMemoryAdapter } from './harness/reference-adapter.js';
import { AUDIENCE, CLIENT_SCOPES, REDIRECT_URI, USERNAME, type ServerInfo } from './harness/fixtures.js';

const JWT_RESOURCE = `${AUDIENCE}/jwt`;
const OPAQUE_RESOURCE = `${AUDIENCE}/opaque`;

async function privateJwk(alg: 'ES256' | 'RS256'): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `${alg.toLowerCase()}-bench` };
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}

async function main(): Promise<void> {
  const port = Number(process.env.REFERENCE_PORT ?? '0');
  const host = '127.0.0.1';
  const issuer = `http://${host}:${port}`;
  const clients = {
    ccJwt: { id: 'bench-cc-jwt', secret: secret() },
    ccOpaque: { id: 'bench-cc-opaque', secret: secret() },
    web: { id: 'bench-web', secret: secret() },
    introspector: { id: 'bench-rs', secret: secret() },
  };
  // No client `scope`: in oidc-provider it lists OIDC scopes only; API scopes come from the resource server below.
  const confidential = { token_endpoint_auth_method: 'client_secret_basic' };
  const machine = { ...confidential, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };

  const provider = new Provider(issuer, {
    adapter: UnboundedMemoryAdapter,
    clients: [
      { ...machine, client_id: clients.ccJwt.id, client_secret: clients.ccJwt.secret },
      { ...machine, client_id: clients.ccOpaque.id, client_secret: clients.ccOpaque.secret },
      { ...machine, client_id: clients.introspector.id, client_secret: clients.introspector.secret },
      {
        ...confidential,
        client_id: clients.web.id,
        client_secret: clients.web.secret,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
      },
    ],
    jwks: { keys: [await privateJwk('ES256'), await privateJwk('RS256')] },
    cookies: { keys: [secret(), secret()] },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Each client has one API; the request need not name it (as with Gatehouse, where aud is configured).
        defaultResource: async (_ctx: unknown, client: { clientId: string }) =>
          client.clientId === clients.ccOpaque.id || client.clientId === clients.introspector.id ? OPAQUE_RESOURCE : JWT_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          const common = { scope: CLIENT_SCOPES, audience: AUDIENCE, accessTokenTTL: 3600 };
          if (resource === JWT_RESOURCE) return { ...common, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
          if (resource === OPAQUE_RESOURCE) return { ...common, accessTokenFormat: 'opaque' };
          throw new errors.InvalidTarget();
        },
      },
    },
    pkce: { required: () => true, methods: ['S256'] },
    // Gatehouse's client rules: a refresh token with every code exchange, rotated on every use, not tied to the sign-in session.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      AuthorizationCode: 600,
      RefreshToken: 30 * 86400,
      Grant: 30 * 86400,
      Session: 8 * 3600,
      Interaction: 3600,
      IdToken: 3600,
    },
    interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  });
  provider.on('server_error', (_ctx: unknown, error: unknown) => console.error('server_error', error));

  // The interaction endpoint: signs the bench user in, then grants the scopes and resources asked for.
  async function interaction(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(request, response, { login: { accountId: USERNAME } }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = details.session?.accountId ?? USERNAME;
    const grant = details.grantId !== undefined
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (grant === undefined) throw new Error('grant not found');
    const missingOidc = details.prompt.details.missingOIDCScope as string[] | undefined;
    if (missingOidc) grant.addOIDCScope(missingOidc.join(' '));
    const missingResource = details.prompt.details.missingResourceScopes as Record<string, string[]> | undefined;
    if (missingResource) for (const [indicator, scopes] of Object.entries(missingResource)) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(request, response, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const callback = provider.callback();
  const server = createServer((request, response) => {
    if (request.url?.startsWith('/interaction/')) {
      interaction(request, response).catch((error: unknown) => {
        console.error(error);
        response.statusCode = 500;
        response.end('interaction failed');
      });
      return;
    }
    callback(request, response);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));

  const info: ServerInfo = {
    ready: true,
    url: issuer,
    issuer,
    tokenPath: '/token',
    introspectionPath: '/token/introspection',
    authorizePath: '/auth',
    clients,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);

  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
