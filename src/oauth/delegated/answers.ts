// The platform's login/consent app answering a challenge through the admin API (Hydra's accept and reject calls).
// Every answer is checked before anything is stored, recorded at most once (a second answer changes nothing), and
// returns where the app sends the browser next: back to the authorization endpoint with a single-use verifier.
import type { ServicesWith } from '../../services.js';
import type { InteractionStore } from '../../store/interactions.js';
import type { LookupStore } from '../../store/lookups.js';
import type { AcceptedConsent, AcceptedLogin, ChallengeKind, ChallengeOutcome, ChallengeRecord, ClientRecord, RejectionError } from '../../store/types.js';
import { randomToken, sha256Hex } from '../../domain/crypto.js';
import { parseScopeList } from '../../domain/scopes.js';
import { formatUserCode, normalizeUserCode } from '../../domain/device-codes.js';
import { Params, singleValues } from '../params.js';
import { ChallengeError } from './errors.js';
import { CHALLENGE_PARAMS, RETURN_PATHS, VERIFIER_PARAMS } from './hand-off.js';

export type AnswerServices = ServicesWith<InteractionStore & LookupStore, 'config' | 'now' | 'devices'>;

export const REJECTION_ERRORS: readonly RejectionError[] = [
  'access_denied', 'login_required', 'consent_required', 'interaction_required', 'invalid_request', 'invalid_scope', 'temporarily_unavailable', 'server_error',
];

// Claims the protocol sets itself: extra ID-token claims may not replace them (a platform bug must not forge `sub` or `aud`).
const PROTOCOL_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'at_hash', 'c_hash', 'sid', 'client_id', 'scope', 'cnf']);

export interface OpenChallenge {
  record: ChallengeRecord;
  /** Always for login and consent; a logout may name no client. */
  client: ClientRecord | undefined;
  /** The scopes the request asked for. */
  requestedScope: string[];
  /** The audiences the access token may be given. */
  requestedAudience: string[];
}

/** The open challenge of this kind, or the admin API's error: 404 unknown or expired, 410 (reading) or 409 (answering) once answered. */
export async function openChallenge(services: AnswerServices, kind: ChallengeKind, challenge: string | undefined, purpose: 'read' | 'answer'): Promise<OpenChallenge> {
  const param = CHALLENGE_PARAMS[kind];
  if (!challenge) throw new ChallengeError(400, 'invalid_request', `${param} is required (the query parameter Gatehouse added to your ${kind} page's URL)`);
  const record = await services.store.getChallenge(sha256Hex(challenge), kind);
  if (!record) throw new ChallengeError(404, 'not_found', `no ${kind} request has this ${param}: it is unknown, or expired and was cleaned up`);
  if (record.handledAt !== null) {
    throw purpose === 'read'
      ? new ChallengeError(410, 'gone', `this ${kind} request was already answered; send the browser where that answer's redirect_to said`)
      : new ChallengeError(409, 'conflict', `this ${kind} request was already answered; a request is answered once`);
  }
  if (record.expiresAt <= services.now()) {
    throw new ChallengeError(404, 'not_found', `this ${kind} request expired (challenges live ${services.config.delegation.challengeTtlSeconds} s); the user must start again from the app`);
  }
  const client = record.clientId === null ? undefined : await services.store.getClient(record.clientId);
  // A client deleted meanwhile takes its challenges with it (foreign key): a missing one is a race with that.
  if (record.clientId !== null && !client) throw new ChallengeError(404, 'not_found', `the client of this ${kind} request no longer exists`);
  // The request as validated at the authorization endpoint: its scopes, and its resources (RFC 8707), which are the
  // audiences the platform may grant, as the built-in consent grants them (else the default audience).
  const params = singleValues(record.request);
  const resources = new Params(record.request).list('resource');
  return {
    record,
    client,
    requestedScope: parseScopeList(params.scope ?? ''),
    requestedAudience: resources.length > 0 ? resources : [services.config.defaultAudience],
  };
}

/** Records the answer once and returns the URL the browser goes to next (redirect_to). */
async function answer(services: AnswerServices, kind: ChallengeKind, open: OpenChallenge, outcome: ChallengeOutcome): Promise<string> {
  const verifier = randomToken();
  const recorded = await services.store.answerChallenge(open.record.challengeHash, kind, outcome, sha256Hex(verifier), services.now());
  // Another answer won the race, or the challenge expired between the read and the write: nothing was changed.
  if (!recorded) throw new ChallengeError(409, 'conflict', `this ${kind} request was answered meanwhile, or just expired; a request is answered once`);
  // The issuer has no trailing slash (config.ts), and may have a path.
  const url = new URL(`${services.config.issuer}${RETURN_PATHS[kind]}`);
  url.searchParams.set(VERIFIER_PARAMS[kind], verifier);
  return url.href;
}

export interface LoginAcceptance {
  subject: string;
  remember?: boolean;
  remember_for?: number;
  acr?: string;
  amr?: string[];
  context?: unknown;
  extend_session_lifespan?: boolean;
  force_subject_identifier?: string;
  identity_provider_session_id?: string;
}

export async function acceptLogin(services: AnswerServices, challenge: string | undefined, body: LoginAcceptance): Promise<string> {
  const open = await openChallenge(services, 'login', challenge, 'answer');
  if (body.force_subject_identifier) {
    throw new ChallengeError(400, 'invalid_request', 'force_subject_identifier is not supported: Gatehouse issues the accepted subject as `sub` (no pairwise identifiers)');
  }
  if (body.identity_provider_session_id) {
    throw new ChallengeError(400, 'invalid_request', 'identity_provider_session_id is not supported: Gatehouse keeps no link to the platform\'s own session');
  }
  if (open.record.skip && body.subject !== open.record.subject) {
    throw new ChallengeError(400, 'invalid_request', `this login request was skipped because "${open.record.subject}" is signed in; accept it with that subject, or reject it`);
  }
  const login: AcceptedLogin = {
    subject: body.subject,
    remember: body.remember ?? false,
    rememberFor: body.remember_for ?? 0,
    extendSession: body.extend_session_lifespan ?? false,
    ...(body.acr !== undefined ? { acr: body.acr } : {}),
    ...(body.amr !== undefined ? { amr: body.amr } : {}),
    ...(body.context !== undefined ? { context: body.context } : {}),
  };
  return answer(services, 'login', open, { accepted: true, login });
}

export interface ConsentAcceptance {
  grant_scope?: string[];
  grant_access_token_audience?: string[];
  remember?: boolean;
  remember_for?: number;
  session?: { access_token?: Record<string, unknown>; id_token?: Record<string, unknown> };
}

export async function acceptConsent(services: AnswerServices, challenge: string | undefined, body: ConsentAcceptance): Promise<string> {
  const open = await openChallenge(services, 'consent', challenge, 'answer');
  const grantScope = [...new Set(body.grant_scope ?? [])];
  const extraScope = grantScope.filter((scope) => !open.requestedScope.includes(scope));
  if (extraScope.length > 0) {
    throw new ChallengeError(400, 'invalid_request', `grant_scope may only hold scopes the request asked for (${open.requestedScope.join(' ') || 'none'}); not requested: ${extraScope.join(' ')}`);
  }
  const audience = [...new Set(body.grant_access_token_audience ?? [])];
  const extraAudience = audience.filter((value) => !open.requestedAudience.includes(value));
  if (extraAudience.length > 0) {
    throw new ChallengeError(400, 'invalid_request', `grant_access_token_audience may only hold requested audiences (${open.requestedAudience.join(' ')}); not requested: ${extraAudience.join(' ')}`);
  }
  const idToken = body.session?.id_token ?? {};
  const reserved = Object.keys(idToken).filter((claim) => PROTOCOL_CLAIMS.has(claim));
  if (reserved.length > 0) {
    throw new ChallengeError(400, 'invalid_request', `session.id_token may not set ${reserved.join(', ')}: Gatehouse sets these claims itself`);
  }
  const consent: AcceptedConsent = {
    grantScope,
    remember: body.remember ?? false,
    rememberFor: body.remember_for ?? 0,
    granted: {
      audience: audience.length > 0 ? audience : open.requestedAudience,
      idToken,
      accessToken: body.session?.access_token ?? {},
      ...(open.record.login?.acr !== undefined ? { acr: open.record.login.acr } : {}),
      ...(open.record.login?.amr !== undefined ? { amr: open.record.login.amr } : {}),
    },
  };
  return answer(services, 'consent', open, { accepted: true, consent });
}

/** The platform's logout page agreed: the browser comes back and the session ends. */
export async function acceptLogout(services: AnswerServices, challenge: string | undefined): Promise<string> {
  const open = await openChallenge(services, 'logout', challenge, 'answer');
  return answer(services, 'logout', open, { accepted: true });
}

/**
 * The platform's device page took the code a user typed (Hydra's accept-device call): it must stand for a device
 * request still waiting for a decision. The browser then signs in and consents for that device.
 */
export async function acceptDevice(services: AnswerServices, challenge: string | undefined, body: { user_code: string }): Promise<string> {
  const open = await openChallenge(services, 'device', challenge, 'answer');
  const normal = normalizeUserCode(body.user_code);
  const pending = normal === undefined ? undefined : await services.devices.findPending(normal);
  if (!pending || normal === undefined) {
    throw new ChallengeError(400, 'invalid_request', 'user_code does not stand for a device waiting for a decision: it is mistyped, expired or already decided');
  }
  return answer(services, 'device', open, { accepted: true, device: { userCode: formatUserCode(normal) } });
}

export interface Rejection {
  error?: string;
  error_description?: string;
  error_hint?: string;
  error_debug?: string;
  status_code?: number;
}

export async function reject(services: AnswerServices, kind: ChallengeKind, challenge: string | undefined, body: Rejection): Promise<string> {
  const open = await openChallenge(services, kind, challenge, 'answer');
  const error = (body.error ?? 'access_denied') as RejectionError;
  if (!REJECTION_ERRORS.includes(error)) {
    throw new ChallengeError(400, 'invalid_request', `error must be one of ${REJECTION_ERRORS.join(', ')} (it is sent to the client as an OAuth error), got "${String(body.error).slice(0, 60)}"`);
  }
  const description = [body.error_description ?? (kind === 'login' ? 'the user did not sign in' : 'the user denied the request'), body.error_hint].filter(Boolean).join(' ');
  return answer(services, kind, open, { accepted: false, error, errorDescription: description, statusCode: body.status_code ?? 403 });
}
