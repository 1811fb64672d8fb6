// Administering users: one function per action, called by `gatehouse users …` and /admin/users alike.
import type { AccountService } from '../domain/accounts.js';
import { DuplicateError } from '../store/errors.js';
import type { Store, UserRecord } from '../store/types.js';
import { AlreadyExists, NotFound } from './errors.js';

export interface UserAdmin {
  store: Pick<Store, 'getUserByUsername' | 'listUsers' | 'deleteUser'>;
  accounts: Pick<AccountService, 'createUser' | 'setPassword'>;
  /** The current time in whole epoch seconds. */
  now(): number;
}

export interface NewUser {
  username: string;
  password: string;
  name?: string;
  email?: string;
}

async function requireUser(admin: UserAdmin, username: string): Promise<UserRecord> {
  const user = await admin.store.getUserByUsername(username);
  if (!user) throw new NotFound(`no user named "${username}"`);
  return user;
}

/** The password is stored with argon2id. */
export async function createUser(admin: UserAdmin, input: NewUser): Promise<UserRecord> {
  return admin.accounts.createUser(input).catch((error: unknown) => {
    throw error instanceof DuplicateError ? new AlreadyExists(`a user named "${input.username}" already exists`) : error;
  });
}

export async function listUsers(admin: UserAdmin): Promise<UserRecord[]> {
  return admin.store.listUsers();
}

/** Their sessions and consents go, and every grant they gave is revoked. */
export async function deleteUser(admin: UserAdmin, username: string): Promise<void> {
  const user = await requireUser(admin, username);
  await admin.store.deleteUser(user.id, admin.now());
}

/** They are signed out everywhere. */
export async function setPassword(admin: UserAdmin, username: string, password: string): Promise<void> {
  await requireUser(admin, username);
  await admin.accounts.setPassword(username, password);
}
