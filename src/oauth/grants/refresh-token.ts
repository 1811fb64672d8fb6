// grant_type=refresh_token (RFC 6749 §6, OAuth 2.1 §4.3): every use rotates the token. A rotated token presented
// again is judged in this order:
//   1. the client has a reuse grace window and the reuse falls inside it: the racing caller gets the same answer
//      the first caller got (sealed with a key only the old token yields) — for clients whose processes race;
//   2. the rotation's successor is still unused, the rotation is at most GATEHOUSE_REFRESH_RETRY_WINDOW old and
//      was not retried before: the answer was lost (timeout, dropped connection, crash), so the caller gets a new
//      working pair and the unused successor is revoked in the same store step. Once only: a second retry, or one
//      racing the first, is not a lost answer but a second holder;
//   3. otherwise two parties hold one chain of tokens: the whole grant is revoked, and its consent withdrawn.
// A successor revoked by step 2 and presented later also means two holders, and revokes the grant.
import { seal, sha256Hex, unseal } from '../../domain/crypto.js';
import type { GrantRecord, RefreshTokenRecord, UserRecord } from '../../store/types.js';
import { InvalidGrant } from '../errors.js';
import { parseScope, requireWithin } from '../scopes.js';
import { mintTokens } from './issue.js';
import type { GrantContext, GrantHandler, TokenResponse } from './types.js';

const SUCCESSOR_PURPOSE = 'refresh-successor';
const MAX_GRACE_CHAIN = 5;

interface Presented {
  /** The refresh token as sent. */
  value: string;
  record: RefreshTokenRecord;
  grant: GrantRecord | undefined;
  user: UserRecord | undefined;
  requestedScope: string | undefined;
}

export const refreshTokenGrant: GrantHandler = async (context) => {
  const { store, client, params, now } = context;
  const value = params.required('refresh_token');
  const requestedScope = params.optional('scope');
  // The token, its grant and its user in one read (one round trip on PostgreSQL).
  const found = await store.getRefreshTokenContext(sha256Hex(value));
  if (!found || found.token.clientId !== client.clientId) throw new InvalidGrant('refresh_token is not valid: unknown, or issued to another client');
  const { token: record, grant, user } = found;
  // RFC 9449 §5: a bound token works only with a proof by its key, whichever way it is judged below.
  if (record.dpopJkt !== null && context.dpopJkt !== record.dpopJkt) {
    throw new InvalidGrant(context.dpopJkt === null
      ? 'refresh_token is bound to a DPoP key: send a DPoP proof signed with it'
      : 'refresh_token is bound to another DPoP key than the proof\'s');
  }
  const presented: Presented = { value, record, grant, user, requestedScope };
  if (record.revokedAt !== null) return revoked(context, presented);
  if (record.rotatedAt !== null) return reuse(context, presented);
  if (record.expiresAt <= now) throw new InvalidGrant('refresh_token has expired; the user must authorize again');

  const scopes = grantedScopes(presented);
  if (!grant || grant.revokedAt !== null) throw new InvalidGrant('refresh_token has been revoked');
  if (!user) throw new InvalidGrant('the user this refresh_token was issued for no longer exists');

  const minted = await mintTokens(context, grant, user, scopes, { nonce: null });
  const successor = minted.tokens.refreshToken!;
  const result = await store.rotateRefreshToken(record.tokenHash, now, { ...minted.tokens, refreshToken: successor }, sealFor(context, presented, minted.response));
  if (!result.ok) {
    // Another request rotated it first: this one is a reuse, judged as any other. Or a retry of its predecessor
    // replaced it meanwhile (revoked, grant alive): judged as a replaced token presented.
    const current = await store.getRefreshTokenContext(record.tokenHash);
    if (!current) throw new InvalidGrant('refresh_token has been revoked');
    const latest = { ...presented, record: current.token, grant: current.grant, user: current.user };
    if (current.token.revokedAt !== null) return revoked(context, latest);
    if (current.token.rotatedAt === null) throw new InvalidGrant('refresh_token has been revoked');
    return reuse(context, latest);
  }
  return minted.response;
};

function grantedScopes(presented: Presented): string[] {
  const scopes = presented.requestedScope === undefined ? presented.record.scopes : parseScope(presented.requestedScope);
  requireWithin(scopes, presented.record.scopes, 'the refresh request');
  return scopes;
}

/** The answer kept for a client with a grace window, sealed with the presented token. */
function sealFor(context: GrantContext, presented: Presented, response: TokenResponse): string | null {
  return context.client.refreshTokenGrace > 0 ? seal(JSON.stringify(response), presented.value, SUCCESSOR_PURPOSE) : null;
}

/** Ends a grant whose tokens two parties hold: every token it issued, and the consent that would silently renew it. */
async function revokeForReuse(context: GrantContext, grantId: string, reason: string, what = 'was already used and has been rotated'): Promise<never> {
  await context.store.revokeLeakedGrant(grantId, context.now, reason);
  await context.audit.record({ event: 'refresh.reuse_detected', actor: { type: 'client', id: context.client.clientId }, clientId: context.client.clientId, grantType: 'refresh_token', outcome: 'grant_revoked', detail: { grant_id: grantId, reason } });
  throw new InvalidGrant(`refresh_token ${what}; the grant is revoked, so the user must authorize again`);
}

/** A revoked token. Revoked while its grant lives on, it is a successor that a retry replaced (step 2): reuse. */
async function revoked(context: GrantContext, presented: Presented): Promise<never> {
  if (presented.grant && presented.grant.revokedAt === null) {
    return revokeForReuse(context, presented.grant.id, 'replaced refresh token used', 'was replaced when its predecessor was presented again');
  }
  throw new InvalidGrant('refresh_token has been revoked');
}

/** A rotated token presented again: steps 1-3 above. */
async function reuse(context: GrantContext, presented: Presented): Promise<TokenResponse> {
  const { client, now } = context;
  const { record } = presented;
  const inGrace = client.refreshTokenGrace > 0 && record.rotatedAt !== null && now - record.rotatedAt <= client.refreshTokenGrace;
  if (inGrace && record.successorSealed) {
    const current = await currentResponse(context, presented.value, record);
    if (current) return current;
  }
  const retried = await answerLostRotation(context, presented);
  if (retried) return retried;
  return revokeForReuse(context, record.grantId, 'rotated refresh token reused');
}

/**
 * Step 2: a new pair for a rotation whose successor nobody used, within the retry window, once. Undefined when
 * the case is not one (then the caller revokes the grant).
 */
async function answerLostRotation(context: GrantContext, presented: Presented): Promise<TokenResponse | undefined> {
  const { store, config, now } = context;
  const { record, grant, user } = presented;
  const window = config.refreshRetryWindowSeconds;
  // 0 is off, even within the second of the rotation (times are whole seconds).
  if (window === 0 || record.rotatedAt === null || record.replacedBy === null || record.retriedAt !== null || now - record.rotatedAt > window) return undefined;
  if (!grant || grant.revokedAt !== null || !user) return undefined;
  const successor = await store.getRefreshToken(record.replacedBy);
  if (!successor || successor.rotatedAt !== null || successor.revokedAt !== null) return undefined;

  const minted = await mintTokens(context, grant, user, grantedScopes(presented), { nonce: null });
  const tokens = { ...minted.tokens, refreshToken: minted.tokens.refreshToken! };
  const result = await store.replaceUnusedSuccessor(record.tokenHash, successor.tokenHash, now, tokens, sealFor(context, presented, minted.response));
  // Not ok: another retry was answered first, or the successor was used meanwhile: both are a second holder.
  return result.ok ? minted.response : undefined;
}

/** Follows the chain of successors from a rotated token to the live one, opening each sealed answer with the token before it. */
async function currentResponse({ store, tokens, now }: GrantContext, presented: string, record: RefreshTokenRecord): Promise<TokenResponse | undefined> {
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
    const next = await store.getRefreshToken(sha256Hex(response.refresh_token!));
    if (!next || next.revokedAt !== null) return undefined;
    if (next.rotatedAt === null) {
      const access = await tokens.resolveAccessToken(response.access_token);
      const expiresIn = access.record ? access.record.expiresAt - now : 0;
      return expiresIn > 0 ? { ...response, expires_in: expiresIn } : undefined;
    }
    token = response.refresh_token!;
    current = next;
  }
  return undefined;
}
