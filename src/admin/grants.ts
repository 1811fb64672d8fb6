// Administering grants (one grant is everything issued from one consent and code exchange): one function per
// action, called by `gatehouse grants …` and /admin/grants alike.
import type { AuditTrail } from '../domain/audit.js';
import type { GrantRecord, GrantSummary, Store } from '../store/types.js';
import { NotFound } from './errors.js';

export interface GrantAdmin {
  store: Pick<Store, 'getUserByUsername' | 'getClient' | 'listGrants' | 'getGrant' | 'revokeGrant'>;
  /** The current time in whole epoch seconds. */
  now(): number;
  audit: Pick<AuditTrail, 'record'>;
}

export interface GrantFilter {
  username?: string;
  clientId?: string;
  /** Revoked grants too. */
  includeRevoked?: boolean;
}

/** Active grants (with includeRevoked, revoked ones too); a user or client that does not exist is NotFound. */
export async function listGrants(admin: GrantAdmin, { username, clientId, includeRevoked = false }: GrantFilter): Promise<GrantSummary[]> {
  const filter: { userId?: string; clientId?: string; includeRevoked?: boolean } = { includeRevoked };
  if (username !== undefined) {
    const user = await admin.store.getUserByUsername(username);
    if (!user) throw new NotFound(`no user named "${username}"`);
    filter.userId = user.id;
  }
  if (clientId !== undefined) {
    if (!(await admin.store.getClient(clientId))) throw new NotFound(`no client with id "${clientId}"`);
    filter.clientId = clientId;
  }
  return admin.store.listGrants(filter);
}

/**
 * Revokes the grant and every access and refresh token issued under it. Revoking it again changes nothing:
 * the answer is the grant as it was revoked the first time, with alreadyRevoked set.
 */
export async function revokeGrant(admin: GrantAdmin, grantId: string, reason: string): Promise<{ grant: GrantRecord; alreadyRevoked: boolean }> {
  const grant = await admin.store.getGrant(grantId);
  if (!grant) throw new NotFound(`no grant with id "${grantId}"`);
  const alreadyRevoked = grant.revokedAt !== null;
  if (!alreadyRevoked) {
    await admin.store.revokeGrant(grantId, admin.now(), reason);
    await admin.audit.record({ event: 'grant.revoked', subject: grant.userId, clientId: grant.clientId, detail: { by: 'admin', grant_id: grantId, reason } });
  }
  return { grant: (await admin.store.getGrant(grantId)) ?? grant, alreadyRevoked };
}
