// The dynamic client registration endpoint (RFC 7591 §3) and the client configuration endpoint (RFC 7592 §2):
// parse the JSON metadata (each known field of its type, unknown ones ignored), hand it to the domain's policy
// (domain/registration.ts), and answer the client information response. GATEHOUSE_REGISTRATION=off: no endpoint.
import { RegistrationRefused, RegistrationTokenRefused, type RegistrationMetadata, type Registered } from '../domain/registration.js';
import type { Services } from '../services.js';
import type { ClientRecord } from '../store/types.js';
import { isPublicClient } from '../domain/clients.js';
import { NotFound, OAuthError } from './errors.js';

export const REGISTRATION_PATH = '/oauth2/register';

/** The largest registration body read: metadata is small; a JWK Set of ten RSA keys fits. */
export const REGISTRATION_BODY_LIMIT = 32 * 1024;

type RegistrationServices = Pick<Services, 'registration' | 'config'>;

const STRINGS = [
  'client_name', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'scope', 'jwks_uri', 'token_endpoint_auth_method',
  'application_type', 'software_statement', 'software_id', 'software_version', 'client_id', 'client_secret',
] as const;
const STRING_LISTS = ['redirect_uris', 'grant_types', 'response_types', 'contacts', 'post_logout_redirect_uris'] as const;
const MAX_STRING = 4000;
const MAX_LIST = 50;

function refused(error: unknown): unknown {
  if (error instanceof RegistrationRefused) return new OAuthError(error.code, error.message, 400);
  if (error instanceof RegistrationTokenRefused) return new OAuthError('invalid_token', error.message, 401);
  return error;
}

/** The body as metadata: a JSON object whose known fields have their RFC 7591 types (null counts as absent). */
export function parseMetadata(contentType: string | undefined, body: string): RegistrationMetadata & { client_id?: string; client_secret?: string } {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new OAuthError('invalid_request', `the client metadata must be sent as application/json (RFC 7591 §3.1), not ${mediaType || 'no media type'}`, 415);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new OAuthError('invalid_client_metadata', 'the request body is not valid JSON', 400);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OAuthError('invalid_client_metadata', 'the client metadata must be a JSON object', 400);
  return metadataFields(value as Record<string, unknown>, '');
}

/** The known fields of `source`, each of its RFC 7591 type (null counts as absent); `origin` prefixes what is wrong. */
function metadataFields(source: Record<string, unknown>, origin: string): RegistrationMetadata & { client_id?: string; client_secret?: string } {
  const metadata: Record<string, unknown> = {};
  const wrong = (name: string, type: string): never => {
    throw new OAuthError('invalid_client_metadata', `${origin}${name} must be ${type}`, 400);
  };
  for (const name of STRINGS) {
    const field = source[name];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string' || field.length > MAX_STRING) wrong(name, `a string (at most ${MAX_STRING} characters)`);
    metadata[name] = field;
  }
  for (const name of STRING_LISTS) {
    const field = source[name];
    if (field === undefined || field === null) continue;
    if (!Array.isArray(field) || field.length > MAX_LIST || !field.every((item) => typeof item === 'string' && item.length <= MAX_STRING)) {
      wrong(name, `an array of strings (at most ${MAX_LIST})`);
    }
    metadata[name] = field;
  }
  const jwks = source.jwks;
  if (jwks !== undefined && jwks !== null) {
    if (typeof jwks !== 'object' || Array.isArray(jwks) || !Array.isArray((jwks as { keys?: unknown }).keys)) wrong('jwks', 'a JSON Web Key Set ({"keys": [...]})');
    metadata.jwks = jwks;
  }
  return metadata as RegistrationMetadata;
}

/**
 * RFC 7591 §2.3: a software statement's verified claims are metadata that take precedence over the same fields sent
 * beside it; the statement itself is not kept. Without one, the metadata as sent.
 */
async function withSoftwareStatement<M extends RegistrationMetadata>(services: RegistrationServices, metadata: M): Promise<M> {
  if (metadata.software_statement === undefined) return metadata;
  const claims = metadataFields(await services.registration.softwareStatementClaims(metadata.software_statement), 'software_statement: ');
  const { software_statement: _verified, client_id: _id, client_secret: _secret, ...stated } = claims;
  const merged: M = { ...metadata, ...stated };
  delete merged.software_statement;
  return merged;
}

/** RFC 7591 §3.2.1 / RFC 7592 §3: the client's registered metadata, with the credentials made in this answer. */
export function clientInformation(issuer: string, client: ClientRecord, made: Omit<Registered, 'client'> = { clientSecret: null }): Record<string, unknown> {
  const info: Record<string, unknown> = {
    client_id: client.clientId,
    client_id_issued_at: client.createdAt,
  };
  if (made.clientSecret !== null) {
    info.client_secret = made.clientSecret;
    // The secret does not expire.
    info.client_secret_expires_at = 0;
  }
  if (made.registrationAccessToken !== undefined) info.registration_access_token = made.registrationAccessToken;
  Object.assign(info, {
    registration_client_uri: `${issuer}${REGISTRATION_PATH}/${encodeURIComponent(client.clientId)}`,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: client.grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: isPublicClient(client) ? 'none' : client.tokenEndpointAuthMethod,
    scope: client.scopes.join(' '),
    application_type: client.registration?.applicationType ?? 'web',
  });
  for (const [name, value] of [
    ['logo_uri', client.logoUri], ['client_uri', client.clientUri], ['policy_uri', client.policyUri], ['tos_uri', client.tosUri],
    ['jwks_uri', client.jwksUri], ['jwks', client.jwks],
  ] as const) {
    if (value !== null) info[name] = value;
  }
  if (client.postLogoutRedirectUris.length > 0) info.post_logout_redirect_uris = client.postLogoutRedirectUris;
  return info;
}

function ensureEnabled(services: RegistrationServices, path: string): void {
  if (services.config.registration.mode === 'off') {
    throw new NotFound('dynamic client registration is not enabled on this server (GATEHOUSE_REGISTRATION=off)', path);
  }
}

/** The token of `Authorization: Bearer …`, or undefined; any other form of the header is refused. */
function bearer(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
  if (!match) throw new OAuthError('invalid_request', 'the Authorization header must be "Bearer <token>"', 400);
  return match[1];
}

/** POST /oauth2/register. */
export async function handleRegistration(services: RegistrationServices, authorization: string | undefined, contentType: string | undefined, body: string): Promise<Record<string, unknown>> {
  ensureEnabled(services, REGISTRATION_PATH);
  try {
    const initialTokenHash = await services.registration.checkInitialAccessToken(bearer(authorization));
    const metadata = await withSoftwareStatement(services, parseMetadata(contentType, body));
    const { client, ...made } = await services.registration.register(metadata, initialTokenHash);
    return clientInformation(services.config.issuer, client, made);
  } catch (error) {
    throw refused(error);
  }
}

/** GET, PUT and DELETE /oauth2/register/{client_id} with the registration access token (RFC 7592 §2). */
export async function handleClientConfiguration(
  services: RegistrationServices,
  method: 'GET' | 'PUT' | 'DELETE',
  clientId: string,
  authorization: string | undefined,
  contentType?: string,
  body?: string,
): Promise<Record<string, unknown> | undefined> {
  ensureEnabled(services, `${REGISTRATION_PATH}/${clientId}`);
  try {
    const token = bearer(authorization);
    if (token === undefined) throw new RegistrationTokenRefused('the registration access token is required (Authorization: Bearer <token>)');
    if (method === 'GET') return clientInformation(services.config.issuer, await services.registration.read(clientId, token));
    if (method === 'DELETE') {
      await services.registration.delete(clientId, token);
      return undefined;
    }
    await services.registration.read(clientId, token);
    const client = await services.registration.replace(clientId, token, await withSoftwareStatement(services, parseMetadata(contentType, body ?? '')));
    return clientInformation(services.config.issuer, client);
  } catch (error) {
    throw refused(error);
  }
}
