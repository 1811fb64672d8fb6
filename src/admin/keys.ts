// Administering signing keys: one function per action, called by `gatehouse keys …` and /admin/keys alike.
import type { AuditTrail } from '../domain/audit.js';
import { SIGNING_ALGS, type KeyService } from '../domain/keys.js';
import type { SigningAlg, SigningKeyRecord, Store } from '../store/types.js';

export interface KeyAdmin {
  store: Pick<Store, 'listSigningKeys'>;
  keys: Pick<KeyService, 'jwks' | 'rotate'>;
  now(): number;
  audit: Pick<AuditTrail, 'record'>;
}

export interface ListedKey {
  record: SigningKeyRecord;
  /** Whether /.well-known/jwks.json serves it now. */
  published: boolean;
}

/** Every key on record: active ones sign, retired ones stay published until tokens they signed have expired. */
export async function listKeys(admin: KeyAdmin): Promise<ListedKey[]> {
  const [records, jwks] = await Promise.all([admin.store.listSigningKeys(admin.now()), admin.keys.jwks()]);
  const published = new Set(jwks.keys.map((key) => key.kid));
  return records.map((record) => ({ record, published: published.has(record.kid) }));
}

/** A new active key for each algorithm (default: every one); the old key is retired but stays published. */
export async function rotateKeys(
  admin: KeyAdmin,
  algs: readonly SigningAlg[] = SIGNING_ALGS,
): Promise<{ algs: SigningAlg[]; rotated: ListedKey[]; keys: ListedKey[] }> {
  const distinct = [...new Set(algs)];
  const made = new Set((await admin.keys.rotate(distinct)).map((key) => key.kid));
  const keys = await listKeys(admin);
  await admin.audit.record({ event: 'key.rotated', detail: { algs: distinct, kids: [...made] } });
  return { algs: distinct, rotated: keys.filter((key) => made.has(key.record.kid)), keys };
}
