// Pushed Authorization Requests (RFC 9126) at the authorization endpoint. A request_uri this server issued at
// /oauth2/par names a request its client pushed: it is consumed once (the store's conditional update), and its stored
// parameters are the request; every other query parameter but client_id is ignored (§4).
//
// The interactive flow validates a request again at each hop (the login page's way back, the consent form, the
// platform's challenges), and the one-time request_uri cannot be presented twice. So the pushed parameters are what is
// carried on, with a seal: an HMAC (key from GATEHOUSE_SECRET) over every parameter but prompt, with an expiry and the
// prompt as pushed. A sealed request counts as pushed; prompt may only lose "login" (the login page's way back drops
// it once the user has signed in). Anything else changed, or the seal expired, and the request is refused.
import { constantTimeEqual, mac, sha256Hex } from '../../domain/crypto.js';
import type { ClientRecord, RequestParams } from '../../store/types.js';
import { InvalidRequest } from '../errors.js';
import type { Params } from '../params.js';
import type { AuthorizeServices } from './request.js';

/** RFC 9126 §2.2: the request_uri's form; the random part follows. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** Seconds a pushed request may be used (RFC 9126 §2.2 expires_in). */
export const PUSHED_REQUEST_TTL_SECONDS = 60;
/** Seconds the interaction started by a pushed request may take (sign-in and consent) before it must start again. */
export const PUSHED_INTERACTION_SECONDS = 30 * 60;
/** The carried-on parameter that marks a request as pushed (see above). Not an OAuth parameter: Gatehouse's own. */
export const PUSHED_SEAL_PARAM = 'pushed_request_seal';

const SEAL_PURPOSE = 'pushed-request-seal';

/** The stored parameters of the pushed request a request_uri names, consumed now; undefined without request_uri. */
export async function resolvePushedRequest(services: AuthorizeServices, client: ClientRecord, params: Params): Promise<RequestParams | undefined> {
  const requestUri = params.optional('request_uri');
  if (requestUri === undefined) return undefined;
  if (!requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length === REQUEST_URI_PREFIX.length) {
    throw new InvalidRequest(`request_uri must be one this server issued at its pushed authorization request endpoint (${REQUEST_URI_PREFIX}…)`);
  }
  const requestHash = sha256Hex(requestUri.slice(REQUEST_URI_PREFIX.length));
  const result = await services.store.consumePushedRequest(requestHash, client.clientId, services.now());
  if (!result.ok) {
    throw new InvalidRequest(
      result.reason === 'used' ? 'request_uri was used already: it is single use; push the request again'
        : result.reason === 'expired' ? `request_uri has expired (it is valid for ${PUSHED_REQUEST_TTL_SECONDS} seconds); push the request again`
          : `request_uri is not a pushed request of client "${client.clientId}"`,
    );
  }
  return result.request.params;
}

/** What a seal covers: every parameter but prompt and the seal itself, in a stable order. */
function sealedText(params: RequestParams, expiresAt: number, prompt: string): string {
  const entries = Object.entries(params).filter(([name]) => name !== 'prompt' && name !== PUSHED_SEAL_PARAM).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([expiresAt, prompt, entries]);
}

/** The seal for a pushed request's parameters, as carried on from now. */
export function sealPushedRequest(services: Pick<AuthorizeServices, 'config' | 'now'>, params: RequestParams): string {
  const expiresAt = services.now() + PUSHED_INTERACTION_SECONDS;
  const prompt = typeof params.prompt === 'string' ? params.prompt : '';
  return `${expiresAt}.${Buffer.from(prompt).toString('base64url')}.${mac(sealedText(params, expiresAt, prompt), services.config.secret, SEAL_PURPOSE)}`;
}

/** Throws unless `seal` was made by sealPushedRequest for these parameters (prompt may have lost "login") and is live. */
export function verifyPushedSeal(services: Pick<AuthorizeServices, 'config' | 'now'>, params: RequestParams, seal: string): void {
  const [expires, encodedPrompt, signature, extra] = seal.split('.');
  const expiresAt = Number(expires);
  if (extra !== undefined || signature === undefined || encodedPrompt === undefined || !Number.isSafeInteger(expiresAt)) {
    throw new InvalidRequest(`${PUSHED_SEAL_PARAM} is malformed; start the authorization again`);
  }
  const prompt = Buffer.from(encodedPrompt, 'base64url').toString();
  if (!constantTimeEqual(signature, mac(sealedText(params, expiresAt, prompt), services.config.secret, SEAL_PURPOSE))) {
    throw new InvalidRequest('the pushed authorization request was altered on its way through the browser; start the authorization again');
  }
  const pushed = new Set(prompt.split(' ').filter(Boolean));
  const now = new Set((typeof params.prompt === 'string' ? params.prompt : '').split(' ').filter(Boolean));
  const dropped = [...pushed].filter((value) => !now.has(value));
  if ([...now].some((value) => !pushed.has(value)) || dropped.some((value) => value !== 'login')) {
    throw new InvalidRequest('prompt differs from the pushed authorization request; start the authorization again');
  }
  if (services.now() >= expiresAt) {
    throw new InvalidRequest(`the pushed authorization request's sign-in took longer than ${PUSHED_INTERACTION_SECONDS / 60} minutes; start the authorization again`);
  }
}
