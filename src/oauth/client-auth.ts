// Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3):
// client_secret_basic, client_secret_post, or none for public clients.
import type { ClientRecord, TokenEndpointAuthMethod } from '../store/types.js';

/** Where client records come from: the store, or the short-lived cache in front of it. */
export interface ClientLookup {
  get(clientId: string): Promise<ClientRecord | undefined>;
}
import { constantTimeEqual, sha256Hex } from '../domain/crypto.js';
import { InvalidClient, InvalidRequest } from './errors.js';
import type { Params, RawParams } from './params.js';

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

function presented(authorization: string | undefined, params: Params): Presented {
  const bodyId = params.optional('client_id');
  const bodySecret = params.optional('client_secret');
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
  return typeof id === 'string' ? id : undefined;
}

export async function authenticateClient(clients: ClientLookup, authorization: string | undefined, params: Params): Promise<AuthenticatedClient> {
  const creds = presented(authorization, params);
  const basic = creds.method === 'client_secret_basic';
  const client = await clients.get(creds.clientId);
  if (!client) throw new InvalidClient(`client_id "${creds.clientId.slice(0, 128)}" is not registered`, basic);
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
