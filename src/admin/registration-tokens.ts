// Initial access tokens for dynamic client registration (GATEHOUSE_REGISTRATION=token, RFC 7591 §3): one function
// per action, called by `gatehouse registration-tokens …` and /admin/registration-tokens alike.
import type { RegistrationService } from '../domain/registration.js';
import { ClientInputError } from '../domain/clients.js';
import type { InitialAccessTokenRecord } from '../store/types.js';
import { parseDuration } from '../util/duration.js';
import { NotFound } from './errors.js';

/** As sent: how long it lives (seconds or a duration such as "1d"; default 1d) and how many registrations it allows. */
export interface RegistrationTokenFields {
  expires_in?: number | string;
  /** null or absent: any number until it expires. */
  max_uses?: number | null;
}

export interface RegistrationTokenAdmin {
  registration: Pick<RegistrationService, 'createInitialAccessToken' | 'listInitialAccessTokens' | 'revokeInitialAccessToken'>;
}

export const DEFAULT_REGISTRATION_TOKEN_TTL = 86400;

/** The token is in the answer this once; only its hash is kept. */
export async function createRegistrationToken(admin: RegistrationTokenAdmin, fields: RegistrationTokenFields): Promise<{ record: InitialAccessTokenRecord; token: string }> {
  const expiresIn = typeof fields.expires_in === 'string' ? parseDuration(fields.expires_in) : fields.expires_in ?? DEFAULT_REGISTRATION_TOKEN_TTL;
  if (expiresIn === undefined) throw new ClientInputError(`expires in must be a duration such as 1h or 7d, got "${String(fields.expires_in)}"`);
  return admin.registration.createInitialAccessToken({ expiresInSeconds: expiresIn, maxUses: fields.max_uses ?? null });
}

export async function listRegistrationTokens(admin: RegistrationTokenAdmin): Promise<InitialAccessTokenRecord[]> {
  return admin.registration.listInitialAccessTokens();
}

/** Clients already registered with it stay registered. */
export async function revokeRegistrationToken(admin: RegistrationTokenAdmin, id: string): Promise<void> {
  if (!(await admin.registration.revokeInitialAccessToken(id))) throw new NotFound(`no registration token with id "${id}"`);
}
