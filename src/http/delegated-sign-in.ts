// A sign-in the platform's login page accepted (delegated sign-in), turned into who is signed in here: the subject's
// user (external unless it is one of Gatehouse's), and, when the page asked to remember it, a Gatehouse session with
// its cookie. Shared by the authorization endpoint and the device verification page.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.js';
import type { ChallengeRecord, LoginDecision, UserRecord } from '../store/types.js';
import { sessionCookie, setSessionCookie } from './cookies.js';

/** Who signed in, as the consent step needs it. */
export interface SignedIn {
  user: UserRecord;
  login: LoginDecision;
  /** The public sid of the Gatehouse session this sign-in lives in (Hydra's session_id); null when none was kept. */
  sid: string | null;
}

export async function acceptedSignIn(services: Services, request: FastifyRequest, reply: FastifyReply, challenge: ChallengeRecord): Promise<SignedIn> {
  const outcome = challenge.outcome;
  const accepted = outcome?.accepted ? outcome.login : undefined;
  if (!accepted) throw new Error('acceptedSignIn needs an accepted login challenge');
  const user = await services.accounts.subjectUser(accepted.subject);
  const existing = await services.accounts.resolveSession(sessionCookie(request));
  const same = existing?.user.id === user.id ? existing : undefined;
  let authTime = same ? same.session.authTime : services.now();
  let sid = same ? same.session.sid : null;
  if (accepted.remember && (!same || accepted.extendSession)) {
    const ttl = accepted.rememberFor > 0 ? accepted.rememberFor : services.config.sessionTtlSeconds;
    const started = await services.accounts.startSession(user.id, ttl, same ? authTime : undefined);
    // The browser's earlier session ends (another subject signed in, or this one extended): its clients are told.
    if (existing) await services.logout.endSession({ cookieValue: sessionCookie(request) });
    setSessionCookie(reply, started.cookieValue, services.config.secureCookies, ttl);
    authTime = started.session.authTime;
    sid = started.session.sid;
  }
  const login: LoginDecision = {
    authTime,
    ...(accepted.acr !== undefined ? { acr: accepted.acr } : {}),
    ...(accepted.amr !== undefined ? { amr: accepted.amr } : {}),
    ...(accepted.context !== undefined ? { context: accepted.context } : {}),
  };
  return { user, login, sid };
}
