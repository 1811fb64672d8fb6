// Minting the tokens of one grant: access token, refresh token when the client may refresh, id_token when openid was granted.
import type { GrantRecord, NewTokens, UserRecord } from '../../store/types.js';
import { randomId } from '../../domain/crypto.js';
import { formatScope } from '../../domain/scopes.js';
import { narrowAudience } from '../resources.js';
import { isPublicClient } from '../../domain/clients.js';
import type { GrantContext, TokenResponse } from './types.js';

export interface MintedTokens {
  response: TokenResponse;
  tokens: NewTokens;
}

/** What a new grant starts from: the user's decision, as a code or an approved device code carries it. */
export type GrantDecision = Pick<GrantRecord, 'userId' | 'scopes' | 'authTime' | 'nonce' | 'granted' | 'sessionId'>;

/** A new, live grant for the client: the one shape a code exchange and a device exchange both create. */
export function newGrant(clientId: string, decision: GrantDecision, now: number): GrantRecord {
  return { id: `grant_${randomId()}`, clientId, ...decision, createdAt: now, lastUsedAt: now, revokedAt: null, revokedReason: null };
}

export async function mintTokens(
  context: GrantContext,
  grant: GrantRecord,
  user: UserRecord,
  accessScopes: string[],
  options: { nonce: string | null },
): Promise<MintedTokens> {
  const { tokens, config, client, now, dpopJkt } = context;
  // What the grant's audience is (the resources of the authorization request, what the platform granted, else the
  // default audience), narrowed to the `resource` this token request names, if any (RFC 8707 §2.2).
  const granted = grant.granted?.audience.length ? grant.granted.audience : [config.defaultAudience];
  const audience = narrowAudience(context.params.list('resource'), granted, 'grant');
  const access = await tokens.issueAccessToken({
    client,
    userId: user.id,
    scopes: accessScopes,
    audience,
    grantId: grant.id,
    authTime: grant.authTime,
    ext: grant.granted?.accessToken,
    dpopJkt,
    now,
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: dpopJkt ? 'DPoP' : 'Bearer',
    expires_in: access.expiresIn,
    scope: formatScope(accessScopes),
  };
  let refreshRecord = null;
  if (client.grantTypes.includes('refresh_token')) {
    // RFC 9449 §5: a public client's refresh token is bound to its DPoP key; a confidential client's is bound by its
    // client authentication already, so it may change keys.
    const refresh = tokens.issueRefreshToken(client, grant.id, user.id, grant.scopes, now, isPublicClient(client) ? dpopJkt : null);
    response.refresh_token = refresh.token;
    refreshRecord = refresh.record;
  }
  if (accessScopes.includes('openid')) {
    response.id_token = await tokens.issueIdToken({
      client,
      user,
      scopes: accessScopes,
      nonce: options.nonce,
      authTime: grant.authTime,
      sid: grant.sessionId,
      accessToken: access.token,
      granted: grant.granted,
      now,
    });
  }
  return { response, tokens: { accessToken: access.needsRow ? access.record : null, refreshToken: refreshRecord } };
}
