// The device flow (RFC 8628) with the platform's own pages: the code typed on the platform's device page
// (GATEHOUSE_DEVICE_VERIFICATION_URL, Hydra's device_challenge) or on Gatehouse's, then sign-in and consent on the
// platform's login and consent pages (GATEHOUSE_LOGIN_URL / GATEHOUSE_CONSENT_URL) as for an authorization request,
// ending not in a code but in the device's approval (or denial) and a page saying so.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { DEVICE_USER_CODE_PARAM, handOff } from '../../oauth/delegated/hand-off.js';
import { singleValues } from '../../oauth/params.js';
import type { ChallengeKind, ChallengeRecord, DeviceCodeRecord } from '../../store/types.js';
import { browserBinding, sessionCookie } from '../cookies.js';
import { acceptedSignIn, type SignedIn } from '../delegated-sign-in.js';
import { renderMessagePage } from '../pages/message.js';
import { renderErrorPage } from '../pages/error.js';
import { sendPage } from '../send-page.js';

export function connectedPage(reply: FastifyReply): FastifyReply {
  return sendPage(reply, 200, renderMessagePage({ title: 'Your device is connected', message: 'You can close this page and return to your device.', tone: 'success' }));
}

export function notConnectedPage(reply: FastifyReply): FastifyReply {
  return sendPage(reply, 200, renderMessagePage({ title: 'Device not connected', message: 'Access was denied. The device will not be connected; you can close this page.' }));
}

function gonePage(reply: FastifyReply): FastifyReply {
  return sendPage(reply, 400, renderErrorPage({ title: 'This code can no longer be used', message: 'The device\'s code expired or was already decided. Start again on the device.' }));
}

/** The parameters a device request's login and consent challenges carry (read back by finishDeviceChallenge). */
function deviceParams(userCode: string, record: DeviceCodeRecord): Record<string, string> {
  return { [DEVICE_USER_CODE_PARAM]: userCode, client_id: record.clientId, scope: record.scopes.join(' ') };
}

/** A device's code was entered: the platform's login page is asked next (told to skip when a session is live here). */
export async function handOffDeviceLogin(services: Services, request: FastifyRequest, reply: FastifyReply, userCode: string, record: DeviceCodeRecord): Promise<FastifyReply> {
  const signedIn = await services.accounts.resolveSession(sessionCookie(request));
  const url = await handOff(services, {
    kind: 'login', clientId: record.clientId, params: deviceParams(userCode, record), browser: browserBinding(request, reply, services.config.secureCookies),
    subject: signedIn?.user.id ?? null, skip: signedIn !== undefined, loginSessionId: signedIn?.session.sid ?? null, login: null,
  });
  return reply.redirect(url, 302);
}

/** Whether a redeemed login or consent challenge was for a device's request rather than an authorization request. */
export function isDeviceChallenge(challenge: ChallengeRecord): boolean {
  return challenge.request[DEVICE_USER_CODE_PARAM] !== undefined;
}

/** Back from the platform's login or consent page for a device: on to consent, or the device's decision. */
export async function finishDeviceChallenge(services: Services, request: FastifyRequest, reply: FastifyReply, kind: ChallengeKind, challenge: ChallengeRecord): Promise<FastifyReply> {
  const userCode = singleValues(challenge.request)[DEVICE_USER_CODE_PARAM]!;
  const record = await services.devices.findPending(userCode);
  if (!record) return gonePage(reply);
  const outcome = challenge.outcome!;
  if (!outcome.accepted) {
    await services.devices.deny(userCode, challenge.subject && kind === 'consent' ? challenge.subject : null);
    return notConnectedPage(reply);
  }
  if (kind === 'consent') {
    const consent = outcome.consent!;
    const approved = await services.devices.approve(userCode, challenge.subject!, consent.grantScope, challenge.login!.authTime, consent.granted);
    return approved ? connectedPage(reply) : gonePage(reply);
  }
  const signedIn: SignedIn = await acceptedSignIn(services, request, reply, challenge);
  const client = await services.clientCache.get(record.clientId);
  if (!client) return gonePage(reply);
  if (client.skipConsent) {
    // First-party: the sign-in is the decision (the code the user typed confirms the device, RFC 8628 §5.4).
    const approved = await services.devices.approve(userCode, signedIn.user.id, record.scopes, signedIn.login.authTime);
    return approved ? connectedPage(reply) : gonePage(reply);
  }
  const url = await handOff(services, {
    kind: 'consent', clientId: record.clientId, params: deviceParams(userCode, record), browser: browserBinding(request, reply, services.config.secureCookies),
    subject: signedIn.user.id, skip: false, loginSessionId: signedIn.sid, login: signedIn.login,
  });
  return reply.redirect(url, 302);
}
