// Dynamic client registration (RFC 7591) and its management protocol (RFC 7592): the policy on what a client may
// register for itself, the registration access token that reads, replaces and deletes it, and the initial access
// tokens an administrator hands out when GATEHOUSE_REGISTRATION=token. Clients are built by the one client rule
// (clients.ts buildClient), so a registered client is checked exactly as one made by the CLI or admin API.
import type { RegistrationSettings } from '../config.js';
import type { AdminStore } from '../store/administration.js';
import type { RegistrationStore } from '../store/registrations.js';
import type { ClientRecord, GrantType, InitialAccessTokenRecord, JsonWebKeySet } from '../store/types.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { buildClient, ClientInputError, isPrivateUseUri, usesSecret, validateRedirectUri, withNewSecret, type ClientInput, type ClientService } from './clients.js';
import { constantTimeEqual, randomId, randomToken, sha256Hex } from './crypto.js';
import { parseScopeList } from './scopes.js';
import type { AuditTrail } from './audit.js';
import { SoftwareStatementRejected, verifySoftwareStatement } from '../jwt/software-statement.js';

/** RFC 7591 §3.2.2's error codes, and RFC 7592's refusal of a wrong registration access token. */
export type RegistrationErrorCode = 'invalid_redirect_uri' | 'invalid_client_metadata' | 'invalid_software_statement' | 'unapproved_software_statement';

/** The registration cannot be made as asked; the message names the field. */
export class RegistrationRefused extends Error {
  constructor(readonly code: RegistrationErrorCode, message: string) {
    super(message);
    this.name = 'RegistrationRefused';
  }
}

/** The initial or registration access token is missing, unknown, expired, used up, or for another client. */
export class RegistrationTokenRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistrationTokenRefused';
  }
}

/** Client metadata as RFC 7591 §2 names it, each field already of its JSON type (oauth/registration.ts checks that). */
export interface RegistrationMetadata {
  redirect_uris?: string[];
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  response_types?: string[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  scope?: string;
  jwks_uri?: string;
  jwks?: JsonWebKeySet;
  application_type?: string;
  software_statement?: string;
  post_logout_redirect_uris?: string[];
}

/**
 * What a client may register for itself: the code flow and refresh tokens. Not client_credentials: a client anyone
 * may register would get tokens with no user behind them for every registrable scope. Not the device grant either.
 */
export const REGISTRABLE_GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token'];
export const REGISTRABLE_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;

export interface Registered {
  client: ClientRecord;
  /** A confidential client's secret: in this answer only. */
  clientSecret: string | null;
  /** RFC 7592's registration access token: in the registration answer only. */
  registrationAccessToken?: string;
}

const MAX_REDIRECT_URIS = 20;

export class RegistrationService {
  constructor(
    private readonly store: RegistrationStore & Pick<AdminStore, 'getClient'>,
    private readonly clients: Pick<ClientService, 'update' | 'delete'>,
    private readonly settings: RegistrationSettings,
    /**
     * The default of what registered clients may ask for (GATEHOUSE_REGISTRATION_SCOPES unset): the scope catalogue and
     * the scopes of registered resources, so an MCP client can register for the MCP server it was pointed at.
     */
    private readonly catalogue: () => Promise<string[]>,
    private readonly clock: Clock,
    /** Registrations, replacements and deletions are client.* audit events whose actor is the client itself. */
    private readonly audit: Pick<AuditTrail, 'record'>,
  ) {}

  get mode(): RegistrationSettings['mode'] {
    return this.settings.mode;
  }

  /** The scopes a registered client may ask for. */
  async allowedScopes(): Promise<string[]> {
    return this.settings.scopes ?? [...new Set(await this.catalogue())];
  }

  /**
   * In token mode, the initial access token must be live and not used up; its hash is returned for register() to
   * spend. Checked before the metadata so that a client without a valid token learns nothing more.
   */
  async checkInitialAccessToken(token: string | undefined): Promise<string | null> {
    if (this.settings.mode !== 'token') return null;
    if (token === undefined) throw new RegistrationTokenRefused('registration needs an initial access token (Authorization: Bearer <token>)');
    const hash = sha256Hex(token);
    const found = await this.store.findInitialAccessToken(hash);
    if (!found || !live(found, epochSeconds(this.clock))) throw new RegistrationTokenRefused('the initial access token is unknown, expired or used up');
    return hash;
  }

  /**
   * RFC 7591 §2.3: the claims of a software statement signed by a trusted issuer (GATEHOUSE_REGISTRATION_SOFTWARE_STATEMENT_KEYS);
   * the caller checks them as metadata and lets them take precedence. Without trusted issuers, statements are refused.
   */
  async softwareStatementClaims(statement: string): Promise<Record<string, unknown>> {
    if (this.settings.softwareStatementKeys === undefined) {
      throw new RegistrationRefused('invalid_software_statement', 'software statements are not accepted by this server (no trusted issuers are configured); send the metadata itself');
    }
    try {
      return await verifySoftwareStatement(statement, this.settings.softwareStatementKeys, epochSeconds(this.clock));
    } catch (error) {
      if (error instanceof SoftwareStatementRejected) throw new RegistrationRefused(`${error.kind}_software_statement`, error.message);
      throw error;
    }
  }

  /** RFC 7591 §3: registers a client; its secret and registration access token are in the answer, and never again. */
  async register(metadata: RegistrationMetadata, initialTokenHash: string | null): Promise<Registered> {
    const now = epochSeconds(this.clock);
    const registrationAccessToken = randomToken('ghr_');
    const applicationType = this.applicationType(metadata);
    const registration = { tokenHash: sha256Hex(registrationAccessToken), applicationType, unusedUntil: now + this.settings.unusedTtlSeconds };
    let client = this.build(metadata, undefined, now, registration, await this.allowedScopes());
    let clientSecret: string | null = null;
    if (usesSecret(client)) ({ client, secret: clientSecret } = withNewSecret(client));
    if (!(await this.store.registerClient(client, initialTokenHash, now))) {
      throw new RegistrationTokenRefused('the initial access token is unknown, expired or used up');
    }
    await this.audit.record({ event: 'client.created', actor: { type: 'client', id: client.clientId }, clientId: client.clientId, detail: { via: 'dynamic_registration' } });
    return { client, clientSecret, registrationAccessToken };
  }

  /** RFC 7592 §2.1: the client, when the registration access token is its own. */
  async read(clientId: string, token: string | undefined): Promise<ClientRecord> {
    const client = await this.store.getClient(clientId);
    // One answer for an unknown client and a wrong token: the token endpoint of RFC 7592 §2 reveals nothing either way.
    if (!client?.registration || token === undefined || !constantTimeEqual(sha256Hex(token), client.registration.tokenHash)) {
      throw new RegistrationTokenRefused('the registration access token is not valid for this client');
    }
    return client;
  }

  /**
   * RFC 7592 §2.2: replaces the client's metadata with what is sent (omitted fields return to their defaults). The
   * client_id must be its own; a client_secret, if sent, must be its current one (the client cannot choose it).
   */
  async replace(clientId: string, token: string | undefined, metadata: RegistrationMetadata & { client_id?: string; client_secret?: string }): Promise<ClientRecord> {
    const existing = await this.read(clientId, token);
    if (metadata.client_id !== clientId) throw new RegistrationRefused('invalid_client_metadata', `client_id must be sent and be this client's, "${clientId}"`);
    if (metadata.client_secret !== undefined && (existing.secretHash === null || !constantTimeEqual(sha256Hex(metadata.client_secret), existing.secretHash))) {
      throw new RegistrationRefused('invalid_client_metadata', 'client_secret cannot be chosen by the client; send the current one or none');
    }
    const registration = { ...existing.registration!, applicationType: this.applicationType(metadata) };
    const allowed = await this.allowedScopes();
    const built = this.build(metadata, existing, epochSeconds(this.clock), registration, allowed);
    if (usesSecret(built) !== usesSecret(existing)) {
      throw new RegistrationRefused('invalid_client_metadata', `token_endpoint_auth_method cannot change from ${existing.tokenEndpointAuthMethod} to ${built.tokenEndpointAuthMethod}; register a new client`);
    }
    try {
      const updated = await this.clients.update(clientId, this.input(metadata, allowed), { registration });
      await this.audit.record({ event: 'client.updated', actor: { type: 'client', id: clientId }, clientId, detail: { via: 'dynamic_registration' } });
      return updated;
    } catch (error) {
      throw error instanceof ClientInputError ? new RegistrationRefused('invalid_client_metadata', error.message) : error;
    }
  }

  /** RFC 7592 §2.3: deletes the client and everything issued to it (the deletion every client goes through). */
  async delete(clientId: string, token: string | undefined): Promise<void> {
    await this.read(clientId, token);
    await this.clients.delete(clientId);
    await this.audit.record({ event: 'client.deleted', actor: { type: 'client', id: clientId }, clientId, detail: { via: 'dynamic_registration' } });
  }

  /** The client obtained a token: housekeeping keeps it. Writes once, while the client is still unmarked. */
  async markUsed(client: ClientRecord): Promise<boolean> {
    if (!client.registration || client.registration.unusedUntil === null) return false;
    await this.store.markClientUsed(client.clientId);
    return true;
  }

  // Initial access tokens (GATEHOUSE_REGISTRATION=token), made by `gatehouse registration-tokens` and the admin API.

  /** A new initial access token: the token itself is in the answer only, kept as a SHA-256 hash. */
  async createInitialAccessToken(options: { expiresInSeconds: number; maxUses: number | null }): Promise<{ record: InitialAccessTokenRecord; token: string }> {
    const { expiresInSeconds, maxUses } = options;
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 60 || expiresInSeconds > 366 * 86400) {
      throw new ClientInputError('an initial access token must expire in 1m to 366d (--expires-in, expires_in)');
    }
    if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > 1_000_000)) {
      throw new ClientInputError('max uses must be a whole number from 1 to 1000000 (--max-uses, max_uses)');
    }
    const now = epochSeconds(this.clock);
    const token = randomToken('ghi_');
    const record: InitialAccessTokenRecord = { id: `iat_${randomId()}`, tokenHash: sha256Hex(token), createdAt: now, expiresAt: now + expiresInSeconds, maxUses, uses: 0 };
    await this.store.createInitialAccessToken(record);
    return { record, token };
  }

  listInitialAccessTokens(): Promise<InitialAccessTokenRecord[]> {
    return this.store.listInitialAccessTokens();
  }

  revokeInitialAccessToken(id: string): Promise<boolean> {
    return this.store.deleteInitialAccessToken(id);
  }

  private applicationType(metadata: RegistrationMetadata): 'web' | 'native' {
    const type = metadata.application_type ?? 'web';
    if (type !== 'web' && type !== 'native') throw new RegistrationRefused('invalid_client_metadata', `application_type must be web or native, not "${type}"`);
    return type;
  }

  /** The policy, then the one client rule. */
  private build(metadata: RegistrationMetadata, existing: ClientRecord | undefined, now: number, registration: NonNullable<ClientRecord['registration']>, allowedScopes: string[]): ClientRecord {
    // The endpoint replaces a statement by its verified claims (softwareStatementClaims); one left here is unchecked.
    if (metadata.software_statement !== undefined) throw new RegistrationRefused('invalid_software_statement', 'the software statement was not verified');
    const redirectUris = metadata.redirect_uris ?? [];
    if (redirectUris.length > MAX_REDIRECT_URIS) throw new RegistrationRefused('invalid_redirect_uri', `redirect_uris may hold at most ${MAX_REDIRECT_URIS} URIs`);
    for (const uri of redirectUris) {
      try {
        validateRedirectUri(uri);
      } catch (error) {
        if (error instanceof ClientInputError) throw new RegistrationRefused('invalid_redirect_uri', error.message);
        throw error;
      }
      if (registration.applicationType === 'web' && isPrivateUseUri(uri)) {
        throw new RegistrationRefused('invalid_redirect_uri', `redirect URI "${uri}" uses a private-use scheme, which only a client with application_type "native" may register`);
      }
    }
    const input = this.input(metadata, allowedScopes);
    if (input.grantTypes!.includes('authorization_code') && redirectUris.length === 0) {
      throw new RegistrationRefused('invalid_redirect_uri', 'redirect_uris must list at least one URI for the authorization_code grant');
    }
    try {
      return buildClient(input, existing, now, { registration });
    } catch (error) {
      if (error instanceof ClientInputError) throw new RegistrationRefused('invalid_client_metadata', error.message);
      throw error;
    }
  }

  /** The metadata as the domain's client input, every field given (RFC 7592 §2.2: omitted fields take their defaults). */
  private input(metadata: RegistrationMetadata, allowedScopes: string[]): ClientInput {
    const grantTypes = metadata.grant_types ?? ['authorization_code'];
    const refused = grantTypes.filter((grant) => !(REGISTRABLE_GRANT_TYPES as readonly string[]).includes(grant));
    if (refused.length > 0) {
      throw new RegistrationRefused('invalid_client_metadata', `grant_types may be ${REGISTRABLE_GRANT_TYPES.join(' and ')} only, not ${refused.join(', ')}`);
    }
    const responseTypes = metadata.response_types ?? ['code'];
    if (responseTypes.some((type) => type !== 'code')) throw new RegistrationRefused('invalid_client_metadata', 'response_types may be "code" only');
    if (grantTypes.includes('authorization_code') !== responseTypes.includes('code')) {
      throw new RegistrationRefused('invalid_client_metadata', 'the authorization_code grant and the "code" response type go together (RFC 7591 §2.1)');
    }
    // RFC 7591 §2: without it, client_secret_basic.
    const method = metadata.token_endpoint_auth_method ?? 'client_secret_basic';
    if (!(REGISTRABLE_AUTH_METHODS as readonly string[]).includes(method)) {
      throw new RegistrationRefused('invalid_client_metadata', `token_endpoint_auth_method must be one of ${REGISTRABLE_AUTH_METHODS.join(', ')}, not "${method}"`);
    }
    let scopes: string[];
    try {
      scopes = metadata.scope === undefined ? allowedScopes : parseScopeList(metadata.scope);
    } catch (error) {
      throw new RegistrationRefused('invalid_client_metadata', (error as Error).message);
    }
    const allowed = new Set(allowedScopes);
    const beyond = scopes.filter((scope) => !allowed.has(scope));
    if (beyond.length > 0) {
      throw new RegistrationRefused('invalid_client_metadata', `scope may name only ${[...allowed].join(' ') || '(nothing)'}; not ${beyond.join(' ')}`);
    }
    const firstHost = metadata.redirect_uris?.[0] !== undefined ? safeHost(metadata.redirect_uris[0]) : undefined;
    return {
      name: metadata.client_name ?? (firstHost ? `App at ${firstHost}` : 'Unnamed app'),
      redirectUris: metadata.redirect_uris ?? [],
      grantTypes,
      // RFC 7591 §3.2.1 lets the server replace requested values: the client may later ask for any registrable scope
      // (users still consent to each). MCP clients register with the scope of the first challenge and must be able to
      // step up to another tool's scope without registering again.
      scopes: allowedScopes.join(' '),
      public: method === 'none',
      tokenEndpointAuthMethod: method,
      jwks: metadata.jwks ?? null,
      jwksUri: metadata.jwks_uri ?? null,
      postLogoutRedirectUris: metadata.post_logout_redirect_uris ?? [],
      logoUri: metadata.logo_uri ?? null,
      clientUri: metadata.client_uri ?? null,
      policyUri: metadata.policy_uri ?? null,
      tosUri: metadata.tos_uri ?? null,
    };
  }
}

function live(token: InitialAccessTokenRecord, now: number): boolean {
  return token.expiresAt > now && (token.maxUses === null || token.uses < token.maxUses);
}

function safeHost(uri: string): string | undefined {
  try {
    return new URL(uri).host || undefined;
  } catch {
    return undefined;
  }
}
