// Client authentication at the token, introspection, revocation and device authorization endpoints (RFC 6749
// §2.3): client_secret_basic, client_secret_post, private_key_jwt (RFC 7523 §2.2), or none for public clients.
import { createPublicKey } from 'node:crypto';
import type { ServicesWith } from '../services.js';
import type { ClientAssertionWrites } from '../store/client-assertions.js';
import type { ClientRecord, TokenEndpointAuthMethod } from '../store/types.js';
import { constantTimeEqual, sha256Hex } from '../domain/crypto.js';
import { ClientKeysUnavailable } from '../domain/client-keys.js';
import { ClientMetadataRefused } from '../domain/client-metadata.js';
import { JwtRejected } from '../jwt/errors.js';
import { verifyJwt } from '../jwt/verify.js';
import { InvalidClient, InvalidRequest } from './errors.js';
import type { Params, RawParams } from './params.js';

/** What client authentication reads: clients (cached), the issuer and time (assertions), where jtis are kept. */
export type ClientAuthServices = ServicesWith<ClientAssertionWrites, 'clientCache' | 'config' | 'now' | 'clientKeys' | 'clientMetadata'>;

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** How far ahead an assertion may expire: its jti is remembered until then. */
const MAX_ASSERTION_LIFETIME_SECONDS = 600;

/** A failed authentication as a client that is registered: the throttle counts it against that client too. */
export class ClientAuthenticationFailed extends InvalidClient {
  constructor(readonly clientId: string, description: string, basicChallenge = false) {
    super(description, basicChallenge);
  }
}

export interface AuthenticatedClient {
  client: ClientRecord;
  method: TokenEndpointAuthMethod;
}

interface Presented {
  clientId: string;
  secret: string | undefined;
  /** private_key_jwt: the signed assertion (RFC 7523 §2.2). */
  assertion?: string;
  method: TokenEndpointAuthMethod;
}

function formDecode(part: string): string {
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new InvalidClient('the Basic credentials are not valid form-urlencoded text', true);
  }
}

function fromBasic(header: string): Presented {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) throw new InvalidClient('the Authorization header must be "Basic base64(client_id:client_secret)"', true);
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('the Basic credentials must be client_id:client_secret', true);
  return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)), method: 'client_secret_basic' };
}

/** The client an assertion names (iss, unverified): who it claims to be, checked once its signature is. */
function assertedClientId(assertion: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof payload.iss === 'string' && payload.iss !== '' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

function presented(authorization: string | undefined, params: Params): Presented {
  const bodyId = params.optional('client_id');
  const bodySecret = params.optional('client_secret');
  const assertionType = params.optional('client_assertion_type');
  if (assertionType !== undefined || params.optional('client_assertion') !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION) throw new InvalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    if (authorization !== undefined && /^basic\s/i.test(authorization)) throw new InvalidRequest('the client authenticated twice (Basic header and client_assertion); use one method');
    if (bodySecret !== undefined) throw new InvalidRequest('the client authenticated twice (client_secret and client_assertion); use one method');
    const assertion = params.required('client_assertion', 'a signed JWT (RFC 7523 §2.2)');
    const clientId = bodyId ?? assertedClientId(assertion);
    if (clientId === undefined) throw new InvalidClient('client_assertion names no client (its iss); send client_id or a valid assertion');
    return { clientId, secret: undefined, assertion, method: 'private_key_jwt' };
  }
  if (authorization !== undefined && /^basic\s/i.test(authorization)) {
    if (bodySecret !== undefined) {
      throw new InvalidRequest('the client authenticated twice (Basic header and client_secret in the body); use one method');
    }
    const basic = fromBasic(authorization);
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new InvalidRequest('client_id in the body does not match the client in the Basic header');
    }
    return basic;
  }
  if (bodyId === undefined) {
    throw new InvalidClient('client authentication is required: send HTTP Basic credentials, or client_id (and client_secret) in the body');
  }
  return bodySecret !== undefined
    ? { clientId: bodyId, secret: bodySecret, method: 'client_secret_post' }
    : { clientId: bodyId, secret: undefined, method: 'none' };
}

/** The client_id a request names (Basic header first, then the body), without validating anything; for throttling. */
export function presentedClientId(authorization: string | undefined, form: RawParams): string | undefined {
  if (authorization !== undefined && /^basic\s/i.test(authorization)) {
    try {
      return fromBasic(authorization).clientId;
    } catch {
      return undefined;
    }
  }
  const id = form.client_id;
  if (typeof id === 'string') return id;
  return typeof form.client_assertion === 'string' ? assertedClientId(form.client_assertion) : undefined;
}

export async function authenticateClient(services: ClientAuthServices, authorization: string | undefined, params: Params): Promise<AuthenticatedClient> {
  const creds = presented(authorization, params);
  const basic = creds.method === 'client_secret_basic';
  const client = await clientNamed(services, creds.clientId, basic);
  if (!client) throw new InvalidClient(`client_id "${creds.clientId.slice(0, 128)}" is not registered`, basic);
  if (client.tokenEndpointAuthMethod === 'private_key_jwt' || creds.assertion !== undefined) {
    if (client.tokenEndpointAuthMethod !== 'private_key_jwt' || creds.assertion === undefined) {
      throw new ClientAuthenticationFailed(client.clientId, `client "${client.clientId}" is registered to authenticate with ${client.tokenEndpointAuthMethod ?? 'a client secret'}, not ${creds.method}`, basic);
    }
    await verifyAssertion(services, client, creds.assertion);
    return { client, method: 'private_key_jwt' };
  }
  if (client.secretHash === null) {
    if (creds.secret !== undefined) {
      throw new ClientAuthenticationFailed(client.clientId, `client "${client.clientId}" is a public client and has no secret; send only client_id`, basic);
    }
    return { client, method: 'none' };
  }
  if (creds.secret === undefined) {
    throw new ClientAuthenticationFailed(client.clientId, `client "${client.clientId}" is confidential: authenticate with client_secret_basic or client_secret_post`);
  }
  const registered = client.tokenEndpointAuthMethod;
  if (registered !== null && registered !== creds.method) {
    throw new ClientAuthenticationFailed(client.clientId, `client "${client.clientId}" is registered to authenticate with ${registered}, not ${creds.method}`, basic);
  }
  if (!constantTimeEqual(sha256Hex(creds.secret), client.secretHash)) {
    throw new ClientAuthenticationFailed(client.clientId, `client_secret is not correct for client "${client.clientId}"`, basic);
  }
  return { client, method: creds.method };
}

/** The client a request names: registered, or described by a metadata document at its https client_id. */
async function clientNamed(services: ClientAuthServices, clientId: string, basic: boolean): Promise<ClientRecord | undefined> {
  if (!services.clientMetadata.handles(clientId)) return services.clientCache.get(clientId);
  try {
    return await services.clientMetadata.resolve(clientId, (id) => services.clientCache.forget(id));
  } catch (error) {
    if (error instanceof ClientMetadataRefused) throw new InvalidClient(`client_id "${clientId.slice(0, 200)}" cannot be used: ${error.message}`, basic);
    throw error;
  }
}

/**
 * RFC 7523 §3: the assertion is signed by one of the client's registered keys (by kid), names the client as iss and
 * sub, this server as aud (its issuer or its token endpoint), expires within MAX_ASSERTION_LIFETIME_SECONDS, and its
 * jti is new for this client (kept until it expires, on every instance).
 */
async function verifyAssertion(services: ClientAuthServices, client: ClientRecord, assertion: string): Promise<void> {
  const { issuer } = services.config;
  const now = services.now();
  const fail = (why: string): never => {
    throw new ClientAuthenticationFailed(client.clientId, `client_assertion is not valid: ${why}`);
  };
  let claims: Record<string, unknown> = {};
  try {
    ({ claims } = await verifyJwt(assertion, {
      kind: 'client_assertion',
      issuer: client.clientId,
      audience: [issuer, `${issuer}/oauth2/token`],
      now,
      key: async (header) => {
        const jwk = typeof header.kid === 'string' ? await services.clientKeys.key(client, header.kid) : undefined;
        return jwk === undefined ? undefined : createPublicKey({ key: jwk, format: 'jwk' });
      },
    }));
  } catch (error) {
    if (error instanceof ClientKeysUnavailable) fail(error.message);
    if (!(error instanceof JwtRejected)) throw error;
    fail(error.message);
  }
  if (claims.sub !== client.clientId) fail(`sub must be the client_id "${client.clientId}"`);
  const exp = claims.exp as number;
  if (exp > now + MAX_ASSERTION_LIFETIME_SECONDS) fail(`it expires more than ${MAX_ASSERTION_LIFETIME_SECONDS} s from now; sign short-lived assertions`);
  if (!(await services.store.recordClientAssertion(client.clientId, claims.jti as string, exp))) fail('its jti was used before (an assertion authenticates once)');
}
