// Clients described by a metadata document at their client_id (draft-ietf-oauth-client-id-metadata-document; MCP
// 2025-11-25): an MCP client or agent uses Gatehouse with nothing registered by hand. The document is fetched under
// the outbound rules (util/outbound-fetch.ts), must name itself (its client_id is its URL), and becomes a client row
// (so codes, grants and tokens can name it) built with the same rules as any client: redirect URIs exactly as listed,
// public (`none`) or private_key_jwt with its keys. It is kept as long as its Cache-Control allows (1 min to 1 day)
// and read again after. GATEHOUSE_CLIENT_METADATA=off turns the feature off; GATEHOUSE_CLIENT_METADATA_HOSTS limits
// the hosts documents may come from.
import type { ClientMetadataSettings } from '../config.js';
import type { AdminStore } from '../store/administration.js';
import type { ClientRecord } from '../store/types.js';
import { fetchJson, OutboundFetchError, reuseSeconds, type FetchedJson, type OutboundPolicy } from '../util/outbound-fetch.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { buildClient, ClientInputError, isMetadataDocumentId, type ClientInput } from './clients.js';


/** Scopes a document that names none may ask for: the user's own identity, no API. */
const DEFAULT_SCOPES = 'openid profile email offline_access';
const MAX_ENTRIES = 1000;

/** The document could not be used: the message says why, for the page or the error the client gets. */
export class ClientMetadataRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientMetadataRefused';
  }
}

const text = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ClientMetadataRefused(`its ${name} must be a string`);
  return value;
};
const list = (value: unknown, name: string): string[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new ClientMetadataRefused(`its ${name} must be a list of strings`);
  return value as string[];
};

export class ClientMetadataDocuments {
  private readonly fresh = new Map<string, number>();

  constructor(
    private readonly store: Pick<AdminStore, 'getClient' | 'createClient' | 'updateClient'>,
    private readonly settings: ClientMetadataSettings,
    private readonly policy: OutboundPolicy,
    private readonly clock: Clock,
    private readonly fetch: (url: string, policy: OutboundPolicy) => Promise<FetchedJson> = fetchJson,
  ) {}

  /** True when this client_id is to be resolved from its metadata document (and the feature is on). */
  handles(clientId: string): boolean {
    return this.settings.enabled && isMetadataDocumentId(clientId);
  }

  /** The client its document describes, fetched when the copy is stale; throws ClientMetadataRefused saying why not. */
  async resolve(clientId: string, forget?: (clientId: string) => void): Promise<ClientRecord> {
    const now = epochSeconds(this.clock);
    const existing = await this.store.getClient(clientId);
    if (existing && (this.fresh.get(clientId) ?? 0) > now) return existing;
    const host = new URL(clientId).hostname;
    if (this.settings.hosts.length > 0 && !this.settings.hosts.includes(host)) {
      throw new ClientMetadataRefused(`client metadata documents are accepted only from ${this.settings.hosts.join(', ')}, not ${host}`);
    }
    let fetched: FetchedJson;
    try {
      fetched = await this.fetch(clientId, this.policy);
    } catch (error) {
      if (error instanceof OutboundFetchError) throw new ClientMetadataRefused(`its metadata document could not be fetched: ${error.message}`);
      throw error;
    }
    const client = this.build(clientId, fetched.body, existing, now);
    if (existing) await this.store.updateClient(client);
    else await this.store.createClient(client);
    forget?.(clientId);
    if (this.fresh.size >= MAX_ENTRIES) this.fresh.delete(this.fresh.keys().next().value!);
    this.fresh.set(clientId, now + reuseSeconds(fetched));
    return client;
  }

  private build(clientId: string, body: unknown, existing: ClientRecord | undefined, now: number): ClientRecord {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ClientMetadataRefused('its metadata document is not a JSON object');
    const doc = body as Record<string, unknown>;
    if (doc.client_id !== clientId) throw new ClientMetadataRefused(`its metadata document names client_id ${JSON.stringify(doc.client_id)}, not its own URL`);
    if (doc.client_secret !== undefined || doc.client_secret_expires_at !== undefined) {
      throw new ClientMetadataRefused('its metadata document holds a client_secret, which a public document must never hold');
    }
    const method = text(doc.token_endpoint_auth_method, 'token_endpoint_auth_method') ?? 'none';
    if (method !== 'none' && method !== 'private_key_jwt') {
      throw new ClientMetadataRefused(`its token_endpoint_auth_method must be none or private_key_jwt, not ${method}`);
    }
    const redirectUris = list(doc.redirect_uris, 'redirect_uris');
    if (!redirectUris?.length) throw new ClientMetadataRefused('its metadata document lists no redirect_uris');
    const grantTypes = list(doc.grant_types, 'grant_types') ?? ['authorization_code'];
    const unsupported = grantTypes.filter((grant) => grant !== 'authorization_code' && grant !== 'refresh_token');
    if (unsupported.length > 0) throw new ClientMetadataRefused(`its grant_types may be authorization_code and refresh_token only, not ${unsupported.join(', ')}`);
    const input: ClientInput = {
      clientId,
      name: (text(doc.client_name, 'client_name') ?? new URL(clientId).hostname).slice(0, 100),
      redirectUris,
      grantTypes,
      scopes: text(doc.scope, 'scope') ?? DEFAULT_SCOPES,
      public: method === 'none',
      tokenEndpointAuthMethod: method,
      jwks: method === 'private_key_jwt' ? ((doc.jwks as ClientInput['jwks']) ?? null) : null,
      jwksUri: method === 'private_key_jwt' ? (text(doc.jwks_uri, 'jwks_uri') ?? null) : null,
    };
    try {
      return { ...buildClient(input, undefined, now, { metadataDocument: true }), createdAt: existing?.createdAt ?? now };
    } catch (error) {
      if (error instanceof ClientInputError) throw new ClientMetadataRefused(`its metadata document is not usable: ${error.message}`);
      throw error;
    }
  }
}
