// grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4-3.5): the device polls with its device code
// until the user decides on the verification page. In the RFC's order: a code of another client or an unknown one is
// invalid_grant; then expired_token; access_denied once denied; authorization_pending while the user has not decided,
// slow_down (and 5 s more between polls) when the device polls sooner than its interval. Once approved, the same
// tokens as a code exchange, exactly once: the store's claim lets one exchange win; a code exchanged already is
// invalid_grant.
import { sha256Hex } from '../../domain/crypto.js';
import { AccessDenied, AuthorizationPending, ExpiredToken, InvalidGrant, SlowDown } from '../errors.js';
import { mintTokens, newGrant } from './issue.js';
import type { GrantHandler } from './types.js';

export const deviceCodeGrant: GrantHandler = async (context) => {
  const { deviceFlows, client, params, now } = context;
  const deviceCodeHash = sha256Hex(params.required('device_code'));
  const found = await deviceFlows.getDeviceCodeContext(deviceCodeHash);
  if (!found || found.code.clientId !== client.clientId) throw new InvalidGrant('device_code is not valid: it is unknown, or was issued to another client');
  const { code: record, user } = found;
  if (record.consumedAt !== null) throw new InvalidGrant('device_code was already exchanged for tokens');
  if (record.expiresAt <= now) throw new ExpiredToken('device_code has expired; start the device authorization again');
  if (record.status === 'denied') throw new AccessDenied('the user denied the request');
  if (record.status === 'pending') {
    const poll = await deviceFlows.pollDeviceCode(deviceCodeHash, now);
    if (poll.found && poll.slowDown) throw new SlowDown(`polling too fast: wait at least ${poll.interval} seconds between requests`);
    throw new AuthorizationPending('the user has not yet approved this device');
  }

  if (!user || record.authTime === null) throw new InvalidGrant('the user who approved this device no longer exists');
  // A device signs in on another browser: no session of its own to name in its ID tokens; no nonce either.
  const grant = newGrant(client.clientId, { userId: user.id, scopes: record.scopes, authTime: record.authTime, nonce: null, granted: record.granted, sessionId: null }, now);
  const minted = await mintTokens(context, grant, user, record.scopes, { nonce: null });
  const result = await deviceFlows.redeemDeviceCode(deviceCodeHash, now, grant, minted.tokens);
  // Lost a race with another exchange of the same code: it got the tokens, this one gets nothing.
  if (!result.ok) throw new InvalidGrant('device_code was already exchanged for tokens');
  return minted.response;
};
