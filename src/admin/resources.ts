// Administering registered resources (RFC 8707): one function per action, called by `gatehouse resources …` and
// /admin/resources alike.
import type { ResourceService } from '../domain/resources.js';
import { DuplicateError } from '../store/errors.js';
import type { ResourceRecord, Store } from '../store/types.js';
import { AlreadyExists, NotFound } from './errors.js';

/** A resource as it is sent: the names ResourceView shows. */
export interface ResourceFields {
  uri: string;
  name?: string | null;
  /** Space-separated scopes the resource accepts; absent or empty accepts any. */
  scope?: string;
}

export interface ResourceAdmin {
  store: Pick<Store, 'listResources'>;
  resources: Pick<ResourceService, 'create' | 'delete'>;
}

export async function createResource(admin: ResourceAdmin, fields: ResourceFields): Promise<ResourceRecord> {
  return admin.resources.create({ uri: fields.uri, name: fields.name, scopes: fields.scope }).catch((error: unknown) => {
    throw error instanceof DuplicateError ? new AlreadyExists(`a resource with URI "${fields.uri}" is already registered`) : error;
  });
}

export async function listResources(admin: ResourceAdmin): Promise<ResourceRecord[]> {
  return admin.store.listResources();
}

/** Tokens already issued for it keep their audience until they expire. */
export async function deleteResource(admin: ResourceAdmin, uri: string): Promise<void> {
  if (!(await admin.resources.delete(uri))) throw new NotFound(`no resource with URI "${uri}"`);
}
