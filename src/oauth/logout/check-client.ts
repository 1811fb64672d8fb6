// The client (RP-Initiated Logout §2): client_id when sent, else the id_token_hint's audience. When both are sent
// the hint must have been issued to that client. Unknown clients are refused with a page, never redirected to.
import { InvalidRequest } from '../errors.js';
import type { LogoutStep } from './request.js';

export const checkClient: LogoutStep = async ({ params, request, services }) => {
  const clientId = params.optional('client_id');
  const audiences = request.hint?.audiences ?? [];
  if (clientId !== undefined && request.hint && !audiences.includes(clientId)) {
    throw new InvalidRequest(`id_token_hint was not issued to client "${clientId}"`);
  }
  const named = clientId ?? (audiences.length === 1 ? audiences[0] : undefined);
  if (named === undefined) return;
  const client = await services.store.getClient(named);
  if (!client) throw new InvalidRequest(`no client is registered with client_id "${named}"`);
  request.client = client;
};
