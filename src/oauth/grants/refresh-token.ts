// grant_type=refresh_token (RFC 6749 §6, OAuth 2.1 §4.3): every use rotates the token. A rotated token presented
// again revokes the whole grant, unless the client has a reuse grace window and the reuse falls inside it: then
// the racing caller gets the same answer the first caller got (sealed with a key only the old token yields).
import { seal, sha256Hex, unseal } from '../../domain/crypto.js';
import type { RefreshTokenRecord } from '../../store/types.js';
import type { Services } from '../../services.js';
import { InvalidGrant } from '../errors.js';
import { parseScope, requireWithin } from '../scopes.js';
import { mintTokens } from './issue.js';
import type { GrantContext, GrantHandler, TokenResponse } from './types.js';

const SUCCESSOR_PURPOSE = 'refresh-successor';
const MAX_GRACE_CHAIN = 5;

export const refreshTokenGrant: GrantHandler = async (context) => {
  const { services, client, params, now } = context;
  const presented = params.required('refresh_token');
  const requestedScope = params.optional('scope');
  // The token, its grant and its user in one read (one round trip on PostgreSQL).
  const found = await services.store.getRefreshTokenContext(sha256Hex(presented));
  if (!found || found.token.clientId !== client.clientId) throw new InvalidGrant('refresh_token is not valid: unknown, or issued to another client');
  const { token: record, grant, user } = found;
  if (record.revokedAt !== null) throw new InvalidGrant('refresh_token has been revoked');
  if (record.rotatedAt !== null) return reuse(context, presented, record);
  if (record.expiresAt <= now) throw new InvalidGrant('refresh_token has expired; the user must authorize again');

  const scopes = requestedScope === undefined ? record.scopes : parseScope(requestedScope);
  requireWithin(scopes, record.scopes, 'the refresh request');
  if (!grant || grant.revokedAt !== null) throw new InvalidGrant('refresh_token has been revoked');
  if (!user) throw new InvalidGrant('the user this refresh_token was issued for no longer exists');

  const minted = await mintTokens(context, grant, user, scopes, { nonce: null });
  const successor = minted.tokens.refreshToken!;
  const sealed = client.refreshTokenGrace > 0 ? seal(JSON.stringify(minted.response), presented, SUCCESSOR_PURPOSE) : null;
  const result = await services.store.rotateRefreshToken(record.tokenHash, now, { ...minted.tokens, refreshToken: successor }, sealed);
  if (!result.ok) {
    // Another request rotated it first: this one is a reuse, judged as any other.
    const current = await services.store.getRefreshToken(record.tokenHash);
    if (!current || current.revokedAt !== null || current.rotatedAt === null) throw new InvalidGrant('refresh_token has been revoked');
    return reuse(context, presented, current);
  }
  return minted.response;
};

/** A rotated token presented again: inside the grace window, the grant's current tokens; otherwise the grant ends. */
async function reuse(context: GrantContext, presented: string, record: RefreshTokenRecord): Promise<TokenResponse> {
  const { services, client, now } = context;
  const inGrace = client.refreshTokenGrace > 0 && record.rotatedAt !== null && now - record.rotatedAt <= client.refreshTokenGrace;
  if (inGrace && record.successorSealed) {
    const current = await currentResponse(services, presented, record, now);
    if (current) return current;
  }
  await services.store.revokeGrant(record.grantId, now, 'rotated refresh token reused');
  throw new InvalidGrant('refresh_token was already used and has been rotated; the grant is revoked, so the user must authorize again');
}

/** Follows the chain of successors from a rotated token to the live one, opening each sealed answer with the token before it. */
async function currentResponse(services: Services, presented: string, record: RefreshTokenRecord, now: number): Promise<TokenResponse | undefined> {
  let token = presented;
  let current: RefreshTokenRecord | undefined = record;
  for (let step = 0; step < MAX_GRACE_CHAIN && current; step++) {
    if (!current.successorSealed) return undefined;
    let response: TokenResponse;
    try {
      response = JSON.parse(unseal(current.successorSealed, token, SUCCESSOR_PURPOSE)) as TokenResponse;
    } catch {
      return undefined;
    }
    const next = await services.store.getRefreshToken(sha256Hex(response.refresh_token!));
    if (!next || next.revokedAt !== null) return undefined;
    if (next.rotatedAt === null) {
      const access = await services.tokens.resolveAccessToken(response.access_token);
      const expiresIn = access.record ? access.record.expiresAt - now : 0;
      return expiresIn > 0 ? { ...response, expires_in: expiresIn } : undefined;
    }
    token = response.refresh_token!;
    current = next;
  }
  return undefined;
}
