// grant_type=authorization_code (RFC 6749 §4.1.3): a code is single use, short-lived and bound to the client,
// redirect_uri, PKCE challenge, user, scopes and nonce. A replayed code revokes everything it issued.
import { sha256Hex } from '../../domain/crypto.js';
import { InvalidGrant } from '../errors.js';
import { verifyCodeVerifier } from '../pkce.js';
import { mintTokens, newGrant } from './issue.js';
import type { GrantContext, GrantHandler } from './types.js';

export const authorizationCodeGrant: GrantHandler = async (context) => {
  const { store, client, params, now } = context;
  const code = params.required('code');
  const redirectUri = params.required('redirect_uri', 'send the redirect_uri used in the authorization request');
  const verifier = params.optional('code_verifier');
  const codeHash = sha256Hex(code);
  // The code and its user in one read: on PostgreSQL each round trip costs as much as the work it carries.
  const found = await store.getAuthorizationCodeContext(codeHash);
  if (!found) throw new InvalidGrant('code is not valid: it is unknown or has expired');
  const { code: record, user } = found;
  // The client binding before the replay rule: another client presenting a spent code must not end its owner's grant.
  if (record.clientId !== client.clientId) throw new InvalidGrant('code was issued to another client');
  if (record.consumedAt !== null) return replayed(context, record.grantId);
  if (record.expiresAt <= now) throw new InvalidGrant('code has expired; start the authorization again');
  if (record.redirectUri !== redirectUri) {
    throw new InvalidGrant('redirect_uri does not match the one sent in the authorization request');
  }
  verifyCodeVerifier(record.codeChallenge, verifier);
  // RFC 9449 §10: a code bound to a key is exchanged only with a proof by it.
  if (record.dpopJkt !== null && context.dpopJkt !== record.dpopJkt) {
    throw new InvalidGrant('code is bound to a DPoP key (dpop_jkt): send a DPoP proof signed with that key');
  }

  if (!user) throw new InvalidGrant('the user this code was issued for no longer exists');
  const grant = newGrant(client.clientId, { userId: user.id, scopes: record.scopes, authTime: record.authTime, nonce: record.nonce, granted: record.granted, sessionId: record.sessionId }, now);
  const minted = await mintTokens(context, grant, user, record.scopes, { nonce: record.nonce });
  const result = await store.redeemAuthorizationCode(codeHash, now, grant, minted.tokens);
  // Lost a race with another redemption of the same code (by this same client: checked above): a replay too.
  if (!result.ok) return replayed(context, result.grantId);
  return minted.response;
};

/** A code redeemed twice by its own client has leaked: end the grant it made, with its consent. */
async function replayed(context: GrantContext, grantId: string | null): Promise<never> {
  if (grantId) {
    await context.store.revokeLeakedGrant(grantId, context.now, 'authorization code replayed');
    await context.audit.record({ event: 'grant.revoked', actor: { type: 'client', id: context.client.clientId }, clientId: context.client.clientId, grantType: 'authorization_code', detail: { by: 'code_replay', grant_id: grantId, reason: 'authorization code replayed' } });
  }
  throw new InvalidGrant('code was already used; the tokens issued with it have been revoked');
}
