// Hydra 2.x's login, consent and session routes on the admin port (same paths, methods, JSON and status codes), so a
// login/consent app written for Hydra with its SDK works with only the admin URL changed. The rules live in
// oauth/delegated; this maps Hydra's wire format onto them.
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../../services.js';
import type { ChallengeKind } from '../../../store/types.js';
import { acceptConsent, acceptDevice, acceptLogin, acceptLogout, openChallenge, reject, type ConsentAcceptance, type LoginAcceptance, type Rejection } from '../../../oauth/delegated/answers.js';
import { CHALLENGE_PARAMS } from '../../../oauth/delegated/hand-off.js';
import { consentRequestView, consentSessionView, loginRequestView, logoutRequestView } from './hydra-views.js';
import { NO_CONTROL_CHARACTERS } from './schemas.js';
import { AdminError } from '../errors.js';

const text = (maxLength: number) => ({ type: 'string', maxLength, pattern: NO_CONTROL_CHARACTERS }) as const;
const challengeQuery = (kind: ChallengeKind) => ({
  type: 'object',
  additionalProperties: false,
  required: [CHALLENGE_PARAMS[kind]],
  properties: { [CHALLENGE_PARAMS[kind]]: { type: 'string', minLength: 1, maxLength: 200 } },
}) as const;
const claimsObject = { type: 'object' } as const;

const acceptLoginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['subject'],
  properties: {
    subject: { ...text(255), minLength: 1 },
    remember: { type: 'boolean' },
    remember_for: { type: 'integer', minimum: 0, maximum: 10 * 365 * 86400 },
    acr: text(255),
    amr: { type: 'array', maxItems: 20, items: text(64) },
    context: {},
    extend_session_lifespan: { type: 'boolean' },
    force_subject_identifier: { type: 'string' },
    identity_provider_session_id: { type: 'string' },
  },
} as const;

const acceptConsentBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    grant_scope: { type: 'array', maxItems: 100, items: text(200) },
    grant_access_token_audience: { type: 'array', maxItems: 20, items: text(500) },
    remember: { type: 'boolean' },
    remember_for: { type: 'integer', minimum: 0, maximum: 10 * 365 * 86400 },
    session: {
      type: 'object',
      additionalProperties: false,
      properties: { access_token: claimsObject, id_token: claimsObject },
    },
  },
} as const;

const rejectBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    error: text(100),
    error_description: text(500),
    error_hint: text(500),
    error_debug: text(2000),
    status_code: { type: 'integer', minimum: 400, maximum: 599 },
  },
} as const;

const subjectQuery = (extra: Record<string, unknown>, required: string[] = ['subject']) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties: { subject: { ...text(255), minLength: 1 }, ...extra },
}) as const;

/** Where Hydra's admin API has its login, consent and session routes. */
export const HYDRA_ROUTES_PREFIX = '/admin/oauth2/auth';

export const hydraRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  for (const kind of ['login', 'consent'] as const) {
    const param = CHALLENGE_PARAMS[kind];
    type Query = Record<string, string>;
    app.get<{ Querystring: Query }>(`/requests/${kind}`, { schema: { querystring: challengeQuery(kind) } }, async (request) => {
      const challenge = request.query[param]!;
      const open = await openChallenge(services, kind, challenge, 'read');
      return kind === 'login' ? loginRequestView(services, challenge, open) : consentRequestView(services, challenge, open);
    });
    app.put<{ Querystring: Query; Body: Rejection }>(`/requests/${kind}/reject`, { schema: { querystring: challengeQuery(kind), body: rejectBody } }, async (request) => {
      // Hydra shows error_debug only to developers; here it goes to the log, never to the client.
      if (request.body.error_debug) request.log.info({ kind, errorDebug: request.body.error_debug }, 'delegated sign-in: the platform rejected a request');
      return { redirect_to: await reject(services, kind, request.query[param], request.body) };
    });
  }
  // Logout (Hydra's logout provider): the platform's page confirms, then the browser comes back and the session ends;
  // a rejected logout leaves the user signed in (204, as Hydra: the platform's page takes the user on from there).
  app.get<{ Querystring: Record<string, string> }>('/requests/logout', { schema: { querystring: challengeQuery('logout') } }, async (request) => {
    const challenge = request.query.logout_challenge!;
    return logoutRequestView(services, challenge, await openChallenge(services, 'logout', challenge, 'read'));
  });
  app.put<{ Querystring: Record<string, string> }>('/requests/logout/accept', { schema: { querystring: challengeQuery('logout') } }, async (request) => ({
    redirect_to: await acceptLogout(services, request.query.logout_challenge),
  }));
  app.put<{ Querystring: Record<string, string> }>('/requests/logout/reject', { schema: { querystring: challengeQuery('logout') } }, async (request, reply) => {
    await reject(services, 'logout', request.query.logout_challenge, { error: 'access_denied', error_description: 'the platform kept the user signed in' });
    return reply.code(204).send();
  });
  // Device verification (Hydra's device_challenge): the platform's page took the code the user typed.
  app.put<{ Querystring: Record<string, string>; Body: { user_code: string } }>('/requests/device/accept', {
    schema: {
      querystring: challengeQuery('device'),
      body: { type: 'object', additionalProperties: false, required: ['user_code'], properties: { user_code: { ...text(32), minLength: 1 } } },
    },
  }, async (request) => ({ redirect_to: await acceptDevice(services, request.query.device_challenge, request.body) }));
  app.put<{ Querystring: Record<string, string>; Body: LoginAcceptance }>('/requests/login/accept', { schema: { querystring: challengeQuery('login'), body: acceptLoginBody } }, async (request) => {
    const redirectTo = await acceptLogin(services, request.query.login_challenge, request.body);
    // The platform signed the user in: the actor is the login app (or the admin identity), the subject its user.
    await services.audit.record({ event: 'signin.succeeded', subject: request.body.subject, outcome: 'succeeded', detail: { delegated: true } });
    return { redirect_to: redirectTo };
  });
  app.put<{ Querystring: Record<string, string>; Body: ConsentAcceptance }>('/requests/consent/accept', { schema: { querystring: challengeQuery('consent'), body: acceptConsentBody } }, async (request) => ({
    redirect_to: await acceptConsent(services, request.query.consent_challenge, request.body ?? {}),
  }));

  // The subject's consent sessions: one per live grant (what the platform's "connected apps" page lists).
  app.get<{ Querystring: { subject: string; login_session_id?: string } }>('/sessions/consent', {
    schema: { querystring: subjectQuery({ login_session_id: text(100) }) },
  }, async (request) => {
    if (request.query.login_session_id !== undefined) {
      throw new AdminError(400, 'invalid_request', 'login_session_id is not supported as a filter; list by subject');
    }
    const { subject } = request.query;
    const grants = await services.store.listGrants({ userId: subject });
    const sessions = [];
    for (const grant of grants) {
      const client = await services.store.getClient(grant.clientId);
      if (!client) continue;
      sessions.push(consentSessionView(grant, client, await services.consent.current(subject, grant.clientId), services.config.defaultAudience));
    }
    return sessions;
  });

  // Withdraws consent: the grants for the client (or all, with all=true) are revoked, their tokens with them.
  app.delete<{ Querystring: { subject: string; client?: string; all?: string } }>('/sessions/consent', {
    schema: { querystring: subjectQuery({ client: text(200), all: { type: 'string', enum: ['true', 'false'] } }) },
  }, async (request, reply) => {
    const { subject, client, all } = request.query;
    if ((client === undefined) === (all !== 'true')) {
      throw new AdminError(400, 'invalid_request', 'name one client with client=, or all of them with all=true');
    }
    const clients = client !== undefined ? [client] : [...new Set((await services.store.listGrants({ userId: subject, includeRevoked: true })).map((grant) => grant.clientId))];
    for (const clientId of clients) {
      const revoked = await services.store.revokeClientAccess(subject, clientId, services.now(), 'consent withdrawn by the platform (admin API)');
      await services.audit.record({ event: 'consent.withdrawn', subject, clientId, detail: { by: 'platform', grants_revoked: revoked } });
    }
    return reply.code(204).send();
  });

  // Signs out of Gatehouse: one login session (sid=) or all of a subject's (subject=); the platform's page is asked
  // again next time, and the clients of each ended session are told (back- and front-channel logout).
  app.delete<{ Querystring: { subject?: string; sid?: string } }>('/sessions/login', {
    schema: { querystring: subjectQuery({ sid: { ...text(100), minLength: 1 } }, []) },
  }, async (request, reply) => {
    const { subject, sid } = request.query;
    if ((subject === undefined) === (sid === undefined)) throw new AdminError(400, 'invalid_request', 'name the subject whose sessions end (subject=), or one session (sid=)');
    if (sid !== undefined) await services.logout.endSession({ sid });
    else await services.store.deleteUserSessions(subject!, services.now());
    return reply.code(204).send();
  });
};
