// Administering clients: one function per action, called by `gatehouse clients …` and /admin/clients alike.
import type { AuditTrail } from '../domain/audit.js';
import type { ClientInput, ClientService } from '../domain/clients.js';
import { DuplicateError } from '../store/errors.js';
import type { ClientRecord, JsonWebKeySet, Store } from '../store/types.js';
import { parseDuration } from '../util/duration.js';
import { AlreadyExists, NotFound } from './errors.js';

/**
 * A client as it is sent: the names of RFC 7591 that ClientView shows, so the admin API takes its JSON body as
 * it is and the CLI maps each option onto one field. A field left undefined keeps its value (or default).
 */
export interface ClientFields {
  client_name?: string;
  client_id?: string;
  redirect_uris?: string[];
  grant_types?: string[];
  scope?: string;
  public?: boolean;
  token_endpoint_auth_method?: string;
  /** Lifetimes: whole seconds, or a duration such as "15m", "1h", "30d". */
  access_token_ttl?: number | string;
  refresh_token_ttl?: number | string;
  refresh_token_grace?: number | string;
  access_token_format?: string;
  /** Replaces the whole list; [] clears it. */
  resource_server_for?: string[];
  /** Token exchange (RFC 8693): resources the client may exchange tokens for; replaces the whole list, [] clears it. */
  token_exchange_resources?: string[];
  /** First-party: users are never asked for consent. */
  skip_consent?: boolean;
  /** private_key_jwt: the client's public keys; null removes them. */
  jwks?: JsonWebKeySet | null;
  /** private_key_jwt: or where the client publishes them (https); null removes it. */
  jwks_uri?: string | null;
  /** OpenID RP-Initiated Logout: replaces the whole list; [] clears it. */
  post_logout_redirect_uris?: string[];
  /** OpenID Back-Channel Logout; null removes it. */
  backchannel_logout_uri?: string | null;
  backchannel_logout_session_required?: boolean;
  /** OpenID Front-Channel Logout; null removes it. */
  frontchannel_logout_uri?: string | null;
  frontchannel_logout_session_required?: boolean;
  /** RFC 9126: authorization requests must come through the PAR endpoint. */
  require_pushed_authorization_requests?: boolean;
  /** RFC 9449 §5.2: every token request must carry a DPoP proof. */
  dpop_bound_access_tokens?: boolean;
  /** What the client shows of itself (RFC 7591 §2): https URLs; null (or "") removes one. */
  logo_uri?: string | null;
  client_uri?: string | null;
  policy_uri?: string | null;
  tos_uri?: string | null;
}

export interface ClientAdmin {
  store: Pick<Store, 'getClient' | 'listClients'>;
  clients: Pick<ClientService, 'create' | 'update' | 'delete' | 'rotateSecret'>;
  /** Each change is an audit event; the actor is the caller's context (admin API request or CLI). */
  audit: Pick<AuditTrail, 'record'>;
}

const seconds = (value: number | string | undefined): number | undefined => (typeof value === 'string' ? parseDuration(value) : value);

/** The domain's input from the fields that were given. */
function clientInput(fields: ClientFields): ClientInput {
  const input: ClientInput = {
    name: fields.client_name,
    clientId: fields.client_id,
    redirectUris: fields.redirect_uris,
    grantTypes: fields.grant_types,
    scopes: fields.scope,
    public: fields.public,
    tokenEndpointAuthMethod: fields.token_endpoint_auth_method,
    accessTokenTtl: seconds(fields.access_token_ttl),
    refreshTokenTtl: seconds(fields.refresh_token_ttl),
    refreshTokenGrace: seconds(fields.refresh_token_grace),
    accessTokenFormat: fields.access_token_format,
    resourceServerFor: fields.resource_server_for,
    tokenExchangeResources: fields.token_exchange_resources,
    skipConsent: fields.skip_consent,
    jwks: fields.jwks,
    jwksUri: fields.jwks_uri,
    postLogoutRedirectUris: fields.post_logout_redirect_uris,
    backchannelLogoutUri: fields.backchannel_logout_uri,
    backchannelLogoutSessionRequired: fields.backchannel_logout_session_required,
    frontchannelLogoutUri: fields.frontchannel_logout_uri,
    frontchannelLogoutSessionRequired: fields.frontchannel_logout_session_required,
    requirePushedAuthorizationRequests: fields.require_pushed_authorization_requests,
    dpopBoundAccessTokens: fields.dpop_bound_access_tokens,
    logoUri: fields.logo_uri,
    clientUri: fields.client_uri,
    policyUri: fields.policy_uri,
    tosUri: fields.tos_uri,
  };
  for (const key of Object.keys(input) as Array<keyof ClientInput>) if (input[key] === undefined) delete input[key];
  return input;
}

export async function showClient(admin: ClientAdmin, clientId: string): Promise<ClientRecord> {
  const client = await admin.store.getClient(clientId);
  if (!client) throw new NotFound(`no client with id "${clientId}"`);
  return client;
}

export async function listClients(admin: ClientAdmin): Promise<ClientRecord[]> {
  return admin.store.listClients();
}

/** A confidential client's secret is in the answer this once, and never again. */
export async function createClient(admin: ClientAdmin, fields: ClientFields): Promise<{ client: ClientRecord; clientSecret: string | null }> {
  const created = await admin.clients.create(clientInput(fields)).catch((error: unknown) => {
    throw error instanceof DuplicateError ? new AlreadyExists(`a client with id "${fields.client_id ?? '(generated)'}" already exists`) : error;
  });
  await admin.audit.record({ event: 'client.created', clientId: created.client.clientId, detail: { fields: changedFields(fields) } });
  return created;
}

/** The names of the fields given (never their values: a JWK set or URI list says nothing the client record does not). */
const changedFields = (fields: ClientFields): string[] => Object.keys(fields).filter((key) => fields[key as keyof ClientFields] !== undefined);

export async function updateClient(admin: ClientAdmin, clientId: string, fields: ClientFields): Promise<ClientRecord> {
  await showClient(admin, clientId);
  const updated = await admin.clients.update(clientId, clientInput(fields));
  await admin.audit.record({ event: 'client.updated', clientId, detail: { fields: changedFields(fields) } });
  return updated;
}

/** Deletes the client and every grant and token issued to it. */
export async function deleteClient(admin: ClientAdmin, clientId: string): Promise<void> {
  if (!(await admin.clients.delete(clientId))) throw new NotFound(`no client with id "${clientId}"`);
  await admin.audit.record({ event: 'client.deleted', clientId });
}

/** The old secret stops working at once; the new one is in the answer this once. */
export async function rotateClientSecret(admin: ClientAdmin, clientId: string): Promise<{ client: ClientRecord; clientSecret: string }> {
  await showClient(admin, clientId);
  const rotated = await admin.clients.rotateSecret(clientId);
  await admin.audit.record({ event: 'client.secret_rotated', clientId });
  return rotated;
}
