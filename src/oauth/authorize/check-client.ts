// Step 1: client_id names a registered client allowed the authorization code flow. Failing here shows a page, never a redirect.
import type { LookupStore } from '../../store/lookups.js';
import { UntrustedRedirectError } from '../errors.js';
import type { Params } from '../params.js';
import type { ClientRecord } from '../../store/types.js';

export async function checkClient(store: LookupStore, params: Params): Promise<ClientRecord> {
  const raw = params.optional.bind(params);
  let clientId: string | undefined;
  try {
    clientId = raw('client_id');
  } catch (error) {
    throw new UntrustedRedirectError((error as Error).message);
  }
  if (clientId === undefined) throw new UntrustedRedirectError('client_id is missing from the sign-in link');
  const client = await store.getClient(clientId);
  if (!client) throw new UntrustedRedirectError(`client_id "${clientId.slice(0, 128)}" is not a registered application`);
  return client;
}
