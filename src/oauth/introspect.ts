// Token introspection (RFC 7662): an authenticated client asks whether a token is active. Revoked or expired
// tokens — JWTs included, since every access token has a row — are `active: false`, with nothing else said.
// Only the token's own client, and for an access token the resource servers registered for its audience, are
// told about it (RFC 7662 §4: the server decides who may learn what); every other client hears `active: false`,
// as if the token did not exist, so introspection cannot be used to read other clients' users and scopes.
import type { ServicesWith } from '../services.js';
import type { ClientAssertionWrites } from '../store/client-assertions.js';
import type { TokenFlowStore } from '../store/token-flows.js';
import { tokenStatus } from '../domain/token-status.js';
import { authenticateClient } from './client-auth.js';
import { InvalidClient } from './errors.js';
import { Params, type RawParams } from './params.js';
import { formatScope } from '../domain/scopes.js';
import { isPublicClient } from '../domain/clients.js';
import type { AccessTokenRecord, ClientRecord } from '../store/types.js';

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

/** The one rule for who may learn about an access token: its own client, or a resource server of its audience. */
function mayIntrospect(client: ClientRecord, token: AccessTokenRecord): boolean {
  return token.clientId === client.clientId || token.audience.some((audience) => client.resourceServerFor.includes(audience));
}

type IntrospectionServices = ServicesWith<TokenFlowStore & ClientAssertionWrites, 'clientCache' | 'now' | 'config' | 'tokens' | 'clientKeys' | 'clientMetadata'>;

/** The platform's extra access-token claims (Hydra's `ext`): in a JWT itself, for an opaque token on its grant. */
async function extraClaims(services: IntrospectionServices, claims: Record<string, unknown> | undefined, record: AccessTokenRecord): Promise<unknown> {
  if (claims !== undefined) return claims.ext;
  if (record.grantId === null) return undefined;
  const accessToken = (await services.store.getGrant(record.grantId))?.granted?.accessToken;
  return accessToken && Object.keys(accessToken).length > 0 ? accessToken : undefined;
}

export async function handleIntrospection(services: IntrospectionServices, authorization: string | undefined, body: RawParams): Promise<IntrospectionResponse> {
  const params = new Params(body);
  params.checkAll();
  const { client } = await authenticateClient(services, authorization, params);
  if (isPublicClient(client)) throw new InvalidClient('introspection needs a confidential client (a resource server with a secret or keys)');
  const token = params.required('token');
  const hint = params.optional('token_type_hint');
  const now = services.now();
  const { issuer } = services.config;

  const presented = await services.tokens.identify(token, hint);
  if (presented.kind === 'refresh_token') {
    const record = presented.record;
    // Refresh tokens are the client's own business: only their holder may introspect them.
    if (record.clientId !== client.clientId || tokenStatus(record, now).status !== 'active') return { active: false };
    const user = record.userId ? await services.store.getUserById(record.userId) : undefined;
    return {
      active: true, token_type: 'refresh_token', iss: issuer, client_id: record.clientId, scope: formatScope(record.scopes),
      sub: record.userId ?? record.clientId, username: user?.external ? undefined : user?.username, iat: record.createdAt, exp: record.expiresAt,
    };
  }
  if (presented.kind === 'access_token' && presented.record) {
    const record = presented.record;
    if (!mayIntrospect(client, record) || tokenStatus(record, now).status !== 'active') return { active: false };
    const user = record.userId ? await services.store.getUserById(record.userId) : undefined;
    const ext = await extraClaims(services, presented.claims, record);
    // RFC 9449 §6.2: a bound token's key thumbprint, which the resource server compares with the proof's key.
    const binding = record.dpopJkt === null ? {} : { cnf: { jkt: record.dpopJkt } };
    return {
      active: true, token_type: record.dpopJkt === null ? 'Bearer' : 'DPoP', ...binding, iss: issuer, client_id: record.clientId, scope: formatScope(record.scopes),
      sub: record.userId ?? record.clientId, username: user?.external ? undefined : user?.username,
      aud: record.audience.length === 1 ? record.audience[0] : record.audience,
      iat: record.createdAt, exp: record.expiresAt, ...(record.format === 'jwt' ? { jti: record.id } : {}), ...(ext ? { ext } : {}),
      // RFC 8693 §4.1: who acts for the user, each earlier actor nested under `act`.
      ...(record.act ? { act: record.act } : {}),
    };
  }
  return { active: false };
}
