// Group commit for SQLite. The connection runs synchronous=NORMAL, so a commit writes its frames to the WAL
// file without waiting for the disk; every write the store makes then waits here for an fsync of the WAL file
// before it returns. One fsync covers every commit made before it started, so under load many requests share
// one disk flush, and no answer is given (no token handed out) before what it wrote is on disk: the same
// guarantee as synchronous=FULL, at a fraction of the cost.
import { closeSync, fsync, openSync } from 'node:fs';
import type { Store, StoreWrites } from '../types.js';

export class WalSync {
  private fd: number | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly walPath: string) {}

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    // A flush already running may have started before our commit: wait for the one after it.
    if (this.running) {
      this.next ??= this.running.then(() => {
        this.next = undefined;
        return this.flush();
      });
      return this.next;
    }
    return this.flush();
  }

  private flush(): Promise<void> {
    const fd = (this.fd ??= openSync(this.walPath, 'r'));
    this.running = new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve()))).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The methods that write, one entry per method the write interfaces declare (TokenFlowWrites, InteractionWrites,
 * AdminWrites, DeviceFlowWrites, LogoutWrites, PushedRequestWrites): `satisfies` makes a write method missing here, or a name that is not one, a compile error. The list is
 * derived from the interfaces rather than the wrapping done per object, because the token flows and the shared Kysely
 * code both write and one Store carries them; a write interface is the declaration, this only mirrors it checked.
 */
const WRITES = {
  redeemAuthorizationCode: true, rotateRefreshToken: true, replaceUnusedSuccessor: true, issueClientToken: true,
  revokeAccessToken: true, revokeGrant: true, revokeLeakedGrant: true,
  createSession: true, saveConsent: true, saveAuthorizationCode: true,
  createChallenge: true, answerChallenge: true, redeemVerifier: true, ensureExternalUser: true,
  createClient: true, updateClient: true, deleteClient: true, createResource: true, deleteResource: true, createUser: true, setUserPassword: true, deleteUser: true,
  deleteUserSessions: true, revokeClientAccess: true, insertSigningKey: true, rotateSigningKey: true, cleanup: true, probeWrite: true,
  saveDeviceCode: true, decideDeviceCode: true, pollDeviceCode: true, redeemDeviceCode: true,
  endSession: true, leaseLogoutDeliveries: true, deleteLogoutDelivery: true, rescheduleLogoutDelivery: true,
  recordClientAssertion: true,
  recordDpopProof: true,
  createInitialAccessToken: true, deleteInitialAccessToken: true, registerClient: true, markClientUsed: true,
  savePushedRequest: true, consumePushedRequest: true,
  recordAuditEvents: true,
} as const satisfies Record<keyof StoreWrites, true>;

const isWrite = (property: string | symbol): property is keyof StoreWrites => Object.hasOwn(WRITES, property);

/** The store with every write (per WRITES) waiting for the WAL to be on disk before it returns. */
export function withGroupSync(store: Store, walSync: WalSync): Store {
  // Each method is wrapped once, not on every call (the token endpoint reads the store per request); a method
  // replaced on the store afterwards is wrapped anew, so the proxy stays transparent.
  const wrapped = new Map<string | symbol, { method: unknown; wrapper: unknown }>();
  const wrap = (property: string | symbol, method: (...args: unknown[]) => unknown): unknown => {
    if (property === 'close') {
      return async () => {
        await method.call(store);
        walSync.close();
      };
    }
    if (!isWrite(property)) return method.bind(store);
    return async (...args: unknown[]) => {
      const result = await method.apply(store, args);
      await walSync.sync();
      return result;
    };
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      let entry = wrapped.get(property);
      if (entry?.method !== value) wrapped.set(property, (entry = { method: value, wrapper: wrap(property, value as (...args: unknown[]) => unknown) }));
      return entry.wrapper;
    },
  });
}
