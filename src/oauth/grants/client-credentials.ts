// grant_type=client_credentials (RFC 6749 §4.4): a confidential client acting for itself, within its registered scopes.
import { formatScope } from '../../domain/scopes.js';
import { parseScope, requireWithin } from '../scopes.js';
import type { GrantHandler } from './types.js';

export const clientCredentialsGrant: GrantHandler = async ({ store, tokens, config, client, params, now }) => {
  const requested = params.optional('scope');
  const scopes = requested === undefined ? client.scopes.filter((scope) => scope !== 'openid' && scope !== 'offline_access') : parseScope(requested);
  requireWithin(scopes, client.scopes, `client "${client.clientId}"`);
  const access = await tokens.issueAccessToken({
    client,
    userId: null,
    scopes,
    audience: [config.defaultAudience],
    grantId: null,
    authTime: null,
    now,
  });
  // An opaque token is its row; a JWT stands on its own signature (see domain/tokens.ts).
  if (access.needsRow) await store.issueClientToken(access.record);
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope: formatScope(scopes) };
};
