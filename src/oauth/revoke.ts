// Token revocation (RFC 7009). Revoking a refresh token ends its whole grant; an access token ends alone.
// Unknown or already-invalid tokens are not an error: the answer is 200 either way.
import type { ServicesWith } from '../services.js';
import type { ClientAssertionWrites } from '../store/client-assertions.js';
import type { TokenFlowStore } from '../store/token-flows.js';
import { authenticateClient } from './client-auth.js';
import { OAuthError, UnsupportedTokenType } from './errors.js';
import { Params, type RawParams } from './params.js';

export async function handleRevocation(services: ServicesWith<TokenFlowStore & ClientAssertionWrites, 'clientCache' | 'tokens' | 'now' | 'config' | 'clientKeys' | 'clientMetadata' | 'audit'>, authorization: string | undefined, body: RawParams): Promise<void> {
  const params = new Params(body);
  params.checkAll();
  const { client } = await authenticateClient(services, authorization, params);
  const token = params.required('token');
  const hint = params.optional('token_type_hint');
  if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
    throw new UnsupportedTokenType(`token_type_hint "${hint}" is not supported; use access_token or refresh_token`);
  }
  const now = services.now();
  const presented = await services.tokens.identify(token, hint);
  const record = presented.kind === 'refresh_token' || presented.kind === 'access_token' ? presented.record : undefined;
  if (!record) return;
  if (record.clientId !== client.clientId) throw new OAuthError('unauthorized_client', 'the token was issued to another client', 400);
  if (presented.kind === 'refresh_token') await services.store.revokeGrant(presented.record.grantId, now, 'refresh token revoked by the client');
  else if (presented.kind === 'access_token') await services.tokens.revokeAccessToken(presented, now);
  await services.audit.record({ event: presented.kind === 'refresh_token' ? 'grant.revoked' : 'token.revoked', actor: { type: 'client', id: client.clientId }, subject: record.userId, clientId: client.clientId, detail: { by: 'client', grant_id: record.grantId } });
}
