// The built-in device verification page (RFC 8628 §3.3): GET/POST /oauth2/device/verify. The user types the code
// their device shows; a code that waits for a decision leads, once signed in (the built-in sign-in page and its
// return_to), to the consent page, whose Allow or Deny comes back here and ends in DeviceCodeService.approve/deny.
// Every wrong code counts against the address's user-code limit (rate-limits/); an address that has used it up is
// refused every look-up, right or wrong, until its window ends, so codes cannot be guessed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { formatUserCode, normalizeUserCode } from '../../domain/device-codes.js';
import { VERIFICATION_PATH } from '../../oauth/device-authorization.js';
import { describeScope } from '../../oauth/scopes.js';
import type { DeviceCodeRecord } from '../../store/types.js';
import { browserBinding, csrfToken, csrfValid, sentBrowserBinding, sessionCookie } from '../cookies.js';
import { handOff, VERIFIER_PARAMS } from '../../oauth/delegated/hand-off.js';
import { redeemVerifier, VerifierRefused } from '../../oauth/delegated/redeem.js';
import { handOffDeviceLogin } from './device-delegation.js';
import { renderConsentPage } from '../pages/consent.js';
import { formatLifetime } from '../pages/format.js';
import { clientLinks } from '../client-links.js';
import { pageCsp, setPageCsp } from '../security-headers.js';
import { renderDeviceCodePage } from '../pages/device.js';
import { renderErrorPage } from '../pages/error.js';
import { renderLoginPage } from '../pages/login.js';
import { renderMessagePage } from '../pages/message.js';
import { sameOriginPath, UnsafeReturnTo } from '../same-origin-path.js';
import { sendPage } from '../send-page.js';
import { sendRequestErrorPage } from '../error-response.js';
import { RateLimited, rateLimitHeaders, type RateLimits } from '../rate-limits/index.js';
import { sendUnsafeReturnTo } from './session.js';

const NOT_WAITING = 'That code is not valid, or it has expired or been used already. Check the code on your device and try again.';

function text(source: unknown, name: string): string | undefined {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

type SignedIn = NonNullable<Awaited<ReturnType<Services['accounts']['resolveSession']>>>;

export async function deviceRoutes(app: FastifyInstance, { services, rateLimits }: { services: Services; rateLimits: RateLimits }): Promise<void> {
  const { config } = services;
  const secure = config.secureCookies;

  /** Runs a step of the user-code limit: its refusal carries the X-RateLimit-* headers too, and is returned for the page. */
  function limited(reply: FastifyReply, step: () => void): RateLimited | undefined {
    try {
      step();
      return undefined;
    } catch (error) {
      if (!(error instanceof RateLimited)) throw error;
      rateLimitHeaders(reply, error.state);
      return error;
    }
  }

  /** Over the limit: the form again, saying in plain words what happened and how long to wait. */
  function showLimited(request: FastifyRequest, reply: FastifyReply, typed: string, refusal: RateLimited): FastifyReply {
    reply.header('Retry-After', String(refusal.state.resetSeconds));
    return showForm(request, reply, 429, typed.slice(0, 32),
      `Too many wrong codes were entered from your network, so checking codes is paused for a moment. Wait ${formatLifetime(refusal.state.resetSeconds)}, then enter the code again.`);
  }

  function showForm(request: FastifyRequest, reply: FastifyReply, status: number, userCode?: string, error?: string): FastifyReply {
    return sendPage(reply, status, renderDeviceCodePage({ csrfToken: csrfToken(request, reply, secure), action: VERIFICATION_PATH, userCode, error }));
  }

  async function showLogin(request: FastifyRequest, reply: FastifyReply, userCode: string, record: DeviceCodeRecord): Promise<FastifyReply> {
    let returnTo: string;
    try {
      returnTo = sameOriginPath(`${VERIFICATION_PATH}?user_code=${encodeURIComponent(userCode)}`, config.issuer);
    } catch (error) {
      if (error instanceof UnsafeReturnTo) return sendUnsafeReturnTo(reply, error);
      throw error;
    }
    const client = await services.clientCache.get(record.clientId);
    return sendPage(reply, 200, renderLoginPage({ csrfToken: csrfToken(request, reply, secure), returnTo, clientName: client?.name }));
  }

  async function showConsent(request: FastifyRequest, reply: FastifyReply, userCode: string, record: DeviceCodeRecord, signedIn: SignedIn): Promise<FastifyReply> {
    const client = await services.clientCache.get(record.clientId);
    if (!client) return showForm(request, reply, 400, userCode, NOT_WAITING);
    const links = clientLinks(client);
    if (links.logoUri) setPageCsp(reply, pageCsp({ images: [links.logoUri] }));
    return sendPage(reply, 200, renderConsentPage({
      ...links,
      csrfToken: csrfToken(request, reply, secure),
      clientName: client.name,
      clientId: client.clientId,
      username: signedIn.user.username,
      scopes: record.scopes.map((scope) => ({ scope, description: describeScope(scope, config.scopeDescriptions) })),
      hiddenFields: { user_code: userCode },
      device: { userCode, action: VERIFICATION_PATH },
    }));
  }

  /** The request a typed code stands for; undefined (and counted against the address) when it waits for no decision. */
  async function lookUp(request: FastifyRequest, reply: FastifyReply, typed: string): Promise<{ userCode: string; record: DeviceCodeRecord } | RateLimited | undefined> {
    const refused = limited(reply, () => rateLimits.userCodes.check(request.ip));
    if (refused) return refused;
    const normal = normalizeUserCode(typed);
    const record = normal === undefined ? undefined : await services.devices.findPending(normal);
    if (!record || normal === undefined) {
      return limited(reply, () => rateLimitHeaders(reply, rateLimits.userCodes.take(request.ip)));
    }
    return { userCode: formatUserCode(normal), record };
  }

  /** Back from the platform's device page (device_verifier): the code it took, on to sign-in. */
  async function comeBack(request: FastifyRequest, reply: FastifyReply, verifier: unknown): Promise<FastifyReply> {
    if (typeof verifier !== 'string' || verifier.length === 0 || verifier.length > 100) {
      return sendRequestErrorPage(reply, 400, { title: 'This link is not valid', message: 'Start again on your device.', detail: `${VERIFIER_PARAMS.device} must be sent once, as the value the device page was given.` });
    }
    let userCode: string;
    try {
      const challenge = await redeemVerifier(services, 'device', verifier, sentBrowserBinding(request, secure));
      userCode = challenge.outcome?.accepted ? challenge.outcome.device!.userCode : '';
    } catch (error) {
      if (!(error instanceof VerifierRefused)) throw error;
      return sendRequestErrorPage(reply, 400, { title: 'This device cannot be connected', message: 'This link has expired or was already used. Start again on your device.', detail: error.message });
    }
    const record = await services.devices.findPending(userCode);
    if (!record) return showForm(request, reply, 400, userCode, NOT_WAITING);
    if (config.delegation.loginUrl !== undefined) return handOffDeviceLogin(services, request, reply, userCode, record);
    return reply.redirect(`${VERIFICATION_PATH}?user_code=${encodeURIComponent(userCode)}`, 303);
  }

  // The form, prefilled from verification_uri_complete; a signed-in user with a code goes straight to the consent
  // page, which shows the code to compare with the device's (and is where the sign-in page sends them back). With
  // GATEHOUSE_DEVICE_VERIFICATION_URL the platform's page takes the code instead (device_challenge); with
  // GATEHOUSE_LOGIN_URL the platform's login and consent pages follow the code.
  app.get(VERIFICATION_PATH, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (query[VERIFIER_PARAMS.device] !== undefined) return comeBack(request, reply, query[VERIFIER_PARAMS.device]);
    if (config.delegation.deviceVerificationUrl !== undefined) {
      const url = await handOff(services, {
        kind: 'device', clientId: null, params: {}, browser: browserBinding(request, reply, secure), subject: null, skip: false, loginSessionId: null, login: null,
      });
      return reply.redirect(url, 302);
    }
    const typed = text(request.query, 'user_code');
    if (!typed) return showForm(request, reply, 200);
    const signedIn = await services.accounts.resolveSession(sessionCookie(request));
    if (!signedIn && config.delegation.loginUrl === undefined) return showForm(request, reply, 200, typed.slice(0, 32));
    const found = await lookUp(request, reply, typed);
    if (found instanceof RateLimited) return showLimited(request, reply, typed, found);
    if (!found) return showForm(request, reply, 400, typed.slice(0, 32), NOT_WAITING);
    if (config.delegation.loginUrl !== undefined) return handOffDeviceLogin(services, request, reply, found.userCode, found.record);
    return showConsent(request, reply, found.userCode, found.record, signedIn!);
  });

  // The code typed in (then sign-in if needed, then consent), or the consent page's decision.
  app.post(VERIFICATION_PATH, async (request, reply) => {
    const typed = text(request.body, 'user_code') ?? '';
    if (!csrfValid(request, text(request.body, 'csrf'), secure)) {
      return showForm(request, reply, 403, typed.slice(0, 32), 'The form expired. Please enter the code again.');
    }
    const found = await lookUp(request, reply, typed);
    if (found instanceof RateLimited) return showLimited(request, reply, typed, found);
    if (!found) return showForm(request, reply, 400, typed.slice(0, 32), NOT_WAITING);
    if (config.delegation.loginUrl !== undefined) return handOffDeviceLogin(services, request, reply, found.userCode, found.record);
    const signedIn = await services.accounts.resolveSession(sessionCookie(request));
    if (!signedIn) return showLogin(request, reply, found.userCode, found.record);
    const decision = text(request.body, 'decision');
    if (decision === undefined) return showConsent(request, reply, found.userCode, found.record, signedIn);
    if (decision === 'deny') {
      await services.devices.deny(found.userCode, signedIn.user.id);
      return sendPage(reply, 200, renderMessagePage({ title: 'Device not connected', message: 'You denied access. The device will not be connected; you can close this page.' }));
    }
    if (decision !== 'allow') {
      return sendPage(reply, 400, renderErrorPage({ title: 'Unexpected answer', message: 'decision must be "allow" or "deny".' }));
    }
    const approved = await services.devices.approve(found.userCode, signedIn.user.id, found.record.scopes, signedIn.session.authTime);
    if (!approved) return showForm(request, reply, 400, found.userCode, NOT_WAITING);
    return sendPage(reply, 200, renderMessagePage({ title: 'Your device is connected', message: 'You can close this page and return to your device.', tone: 'success' }));
  });
}
