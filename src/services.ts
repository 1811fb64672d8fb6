// The composition root: one place that builds every service over one store for a configuration.
import type { Config } from './config.js';
import { AccountService } from './domain/accounts.js';
import { AuditTrail } from './domain/audit.js';
import { ClientService } from './domain/clients.js';
import { ClientCache } from './domain/client-cache.js';
import { ConsentService } from './domain/consent.js';
import { ClientKeySets } from './domain/client-keys.js';
import { ClientMetadataDocuments } from './domain/client-metadata.js';
import { DeviceCodeService } from './domain/device-codes.js';
import { KeyService } from './domain/keys.js';
import { LogoutService } from './domain/logout.js';
import { PasswordCheckLimit } from './domain/password-check-limit.js';
import { RegistrationService } from './domain/registration.js';
import { ResourceService } from './domain/resources.js';
import { TokenService } from './domain/tokens.js';
import { ClientAuthThrottle } from './oauth/client-auth-throttle.js';
import { DpopService } from './oauth/dpop.js';
import { openStore } from './store/open.js';
import type { Store } from './store/types.js';
import { epochSeconds, systemClock, type Clock } from './util/clock.js';

export interface Services {
  config: Config;
  store: Store;
  keys: KeyService;
  tokens: TokenService;
  clients: ClientService;
  /** Client records for client authentication, cached for at most a second. */
  clientCache: ClientCache;
  accounts: AccountService;
  /** Registered resources (RFC 8707), read through a cache of at most a second. */
  resources: ResourceService;
  consent: ConsentService;
  /** The audit trail: security events stored, logged and counted (domain/audit.ts). */
  audit: AuditTrail;
  /** Device authorization requests (RFC 8628): started by the device, decided by the user. */
  devices: DeviceCodeService;
  /** Ending sessions and notifying their clients (back-channel deliveries, front-channel URIs). */
  logout: LogoutService;
  /** Clients described by a metadata document at their https client_id (MCP clients, agents). */
  clientMetadata: ClientMetadataDocuments;
  /** Dynamic client registration (RFC 7591, RFC 7592) and its initial access tokens. */
  registration: RegistrationService;
  /** private_key_jwt clients' keys: inline, or fetched from their jwks_uri and cached. */
  clientKeys: ClientKeySets;
  /** Failed client authentications per address and client, in this process. */
  clientAuthThrottle: ClientAuthThrottle;
  /** DPoP proofs (RFC 9449): their checks, the shared jti record and the server's nonces. */
  dpop: DpopService;
  /** The one clock every time decision reads; tests pass one they can move. */
  clock: Clock;
  /** The clock's time in whole seconds since the epoch. */
  now(): number;
}

/**
 * Some services with the store narrowed to the one interface a module uses (TokenFlowStore, InteractionStore, …):
 * protocol and domain modules take this, not the whole bag, so none reaches storage outside its flow.
 */
export type ServicesWith<FlowStore, Keys extends Exclude<keyof Services, 'store'> = never> = Pick<Services, Keys> & { store: FlowStore };

export interface ServiceOptions {
  /** The clock (default: the system clock). */
  clock?: Clock;
}

export function buildServices(config: Config, store: Store, options: ServiceOptions = {}): Services {
  const clock = options.clock ?? systemClock;
  const now = (): number => epochSeconds(clock);
  const clientCache = new ClientCache(store, clock);
  const clients = new ClientService(store, clock, clientCache);
  const audit = new AuditTrail(store, clock);
  const keys = new KeyService(store, clock, config.secret, config.keyRetentionSeconds, config.keyRefreshSeconds);
  return {
    config,
    store,
    keys,
    tokens: new TokenService(config.issuer, keys, store, clientCache, now),
    clients,
    clientCache,
    accounts: new AccountService(store, clock, new PasswordCheckLimit({ concurrency: config.passwordChecks, queue: config.passwordCheckQueue })),
    resources: new ResourceService(store, clock),
    consent: new ConsentService(store, clock, audit),
    audit,
    devices: new DeviceCodeService(store, clock, config.deviceCodeTtlSeconds),
    logout: new LogoutService(config.issuer, store, keys, clock),
    registration: new RegistrationService(store, clients, config.registration, async () => [...Object.keys(config.scopeDescriptions), ...(await store.listResources()).flatMap((resource) => resource.scopes)], clock, audit),
    clientKeys: new ClientKeySets(config.outbound, clock),
    clientMetadata: new ClientMetadataDocuments(store, config.clientMetadata, config.outbound, clock),
    clientAuthThrottle: new ClientAuthThrottle({ clock }),
    dpop: new DpopService({ issuer: config.issuer, secret: config.secret, nonce: config.dpopNonce }, store, now),
    clock,
    now,
  };
}

/** Opens the configured database, brings its schema up to date and makes sure signing keys exist. */
export async function openServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize });
  try {
    await store.migrate();
    const services = buildServices(config, store, options);
    await services.keys.ensureKeys();
    return services;
  } catch (error) {
    await store.close();
    throw error;
  }
}
