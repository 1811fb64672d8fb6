// Token revocation (RFC 7009). Revoking a refresh token ends its whole grant; an access token ends alone.
// Unknown or already-invalid tokens are not an error: the answer is 200 either way.
import type { ServicesWith } from '../services.js';
import type { TokenFlowStore } from '../store/token-flows.js';
import { sha256Hex } from '../domain/crypto.js';
import { REFRESH_PREFIX } from '../domain/tokens.js';
import { authenticateClient } from './client-auth.js';
import { OAuthError, UnsupportedTokenType } from './errors.js';
import { Params, type RawParams } from './params.js';

export async function handleRevocation(services: ServicesWith<TokenFlowStore, 'clientCache' | 'tokens'>, authorization: string | undefined, body: RawParams): Promise<void> {
  const params = new Params(body);
  params.checkAll();
  const { client } = await authenticateClient(services.clientCache, authorization, params);
  const token = params.required('token');
  const hint = params.optional('token_type_hint');
  if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
    throw new UnsupportedTokenType(`token_type_hint "${hint}" is not supported; use access_token or refresh_token`);
  }
  const now = Math.floor(Date.now() / 1000);
  const notYours = () => new OAuthError('unauthorized_client', 'the token was issued to another client', 400);

  const asRefresh = async (): Promise<boolean> => {
    const record = await services.store.getRefreshToken(sha256Hex(token));
    if (!record) return false;
    if (record.clientId !== client.clientId) throw notYours();
    await services.store.revokeGrant(record.grantId, now, 'refresh token revoked by the client');
    return true;
  };
  const asAccess = async (): Promise<boolean> => {
    const resolved = await services.tokens.resolveAccessToken(token);
    if (!resolved.record) return false;
    if (resolved.record.clientId !== client.clientId) throw notYours();
    await services.tokens.revokeAccessToken(resolved, now);
    return true;
  };
  const order = hint === 'refresh_token' || token.startsWith(REFRESH_PREFIX) ? [asRefresh, asAccess] : [asAccess, asRefresh];
  for (const attempt of order) if (await attempt()) return;
}
