// The composition root: one place that builds every service over one store for a configuration.
import type { Config } from './config.js';
import { AccountService } from './domain/accounts.js';
import { ClientService } from './domain/clients.js';
import { ClientCache } from './domain/client-cache.js';
import { ConsentService } from './domain/consent.js';
import { KeyService } from './domain/keys.js';
import { PasswordCheckLimit } from './domain/password-check-limit.js';
import { TokenService } from './domain/tokens.js';
import { ClientAuthThrottle } from './http/rate-limits/client-auth.js';
import { openStore } from './store/open.js';
import type { Store } from './store/types.js';

export interface Services {
  config: Config;
  store: Store;
  keys: KeyService;
  tokens: TokenService;
  clients: ClientService;
  /** Client records for client authentication, cached for at most a second. */
  clientCache: ClientCache;
  accounts: AccountService;
  consent: ConsentService;
  /** Failed client authentications per address and client, in this process (tests may swap in one with a fake clock). */
  clientAuthThrottle: ClientAuthThrottle;
  /** The current time in whole seconds since the epoch; tests pass a clock they can move. */
  now(): number;
}

export interface ServiceOptions {
  /** The clock, in whole epoch seconds (default: the system clock). */
  now?: () => number;
}

const systemNow = (): number => Math.floor(Date.now() / 1000);

export function buildServices(config: Config, store: Store, options: ServiceOptions = {}): Services {
  const clientCache = new ClientCache(store);
  const keys = new KeyService(store, config.secret, config.keyRetentionSeconds, config.keyRefreshSeconds);
  return {
    config,
    store,
    keys,
    tokens: new TokenService(config.issuer, keys, store, clientCache),
    clients: new ClientService(store, clientCache),
    clientCache,
    accounts: new AccountService(store, new PasswordCheckLimit({ concurrency: config.passwordChecks, queue: config.passwordCheckQueue })),
    consent: new ConsentService(store),
    clientAuthThrottle: new ClientAuthThrottle(),
    now: options.now ?? systemNow,
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
