// The "X no longer has access" banner after a revoke on /account/apps. The revoke POST redirects to
// /account/apps?revoked=VALUE, where VALUE is sealed with the instance secret and names the user, the client
// and a short expiry: a link with ?revoked=anything (say, from another site) shows no banner, and only the user
// who revoked sees it. Sealed rather than kept server-side, so any instance can read it.
import { seal, unseal } from '../domain/crypto.js';

const PURPOSE = 'revoked-notice';
/** Long enough for the redirect that follows the revoke; a reload after that shows the plain page. */
export const REVOKED_NOTICE_SECONDS = 300;
const MAX_LENGTH = 1024;

export function sealRevokedNotice(secret: string, userId: string, clientId: string, now: number): string {
  return seal(JSON.stringify({ u: userId, c: clientId, e: now + REVOKED_NOTICE_SECONDS }), secret, PURPOSE);
}

/** The client id the user revoked, when `value` is a live notice sealed for this user; undefined otherwise. */
export function openRevokedNotice(secret: string, userId: string, value: unknown, now: number): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return undefined;
  try {
    const notice = JSON.parse(unseal(value, secret, PURPOSE)) as { u?: unknown; c?: unknown; e?: unknown };
    if (notice.u !== userId || typeof notice.c !== 'string' || typeof notice.e !== 'number' || notice.e <= now) return undefined;
    return notice.c;
  } catch {
    return undefined;
  }
}
