// Step 1: client_id names a registered client, or one described by a metadata document at its https client_id
// (domain/client-metadata.ts). Failing here shows a page, never a redirect: no redirect_uri is trusted yet.
import { ClientMetadataRefused } from '../../domain/client-metadata.js';
import { InvalidRequest } from '../errors.js';
import type { Params } from '../params.js';
import type { ClientRecord } from '../../store/types.js';
import type { AuthorizeServices } from './request.js';

export async function checkClient(services: Pick<AuthorizeServices, 'store' | 'clientMetadata'>, params: Params): Promise<ClientRecord> {
  const clientId = params.optional('client_id');
  if (clientId === undefined) throw new InvalidRequest('client_id is missing from the sign-in link');
  if (services.clientMetadata.handles(clientId)) {
    try {
      return await services.clientMetadata.resolve(clientId);
    } catch (error) {
      if (error instanceof ClientMetadataRefused) throw new InvalidRequest(`client_id "${clientId.slice(0, 200)}" cannot be used: ${error.message}`);
      throw error;
    }
  }
  const client = await services.store.getClient(clientId);
  if (!client) throw new InvalidRequest(`client_id "${clientId.slice(0, 128)}" is not a registered application`);
  return client;
}
