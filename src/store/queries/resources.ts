// Registered resources (RFC 8707), shared by both backends: read by the resource cache, written by administration.
import type { Kysely } from 'kysely';
import { resourceRecord, resourceRow } from '../rows.js';
import type { Database } from '../schema.js';
import { affected } from '../transaction.js';
import type { ResourceRecord } from '../types.js';

type Db = Kysely<Database>;

export async function createResource(db: Db, resource: ResourceRecord): Promise<void> {
  await db.insertInto('resources').values(resourceRow(resource)).execute();
}

export async function getResource(db: Db, uri: string): Promise<ResourceRecord | undefined> {
  const row = await db.selectFrom('resources').selectAll().where('uri', '=', uri).executeTakeFirst();
  return row && resourceRecord(row);
}

export async function listResources(db: Db): Promise<ResourceRecord[]> {
  const rows = await db.selectFrom('resources').selectAll().orderBy('created_at').orderBy('uri').execute();
  return rows.map(resourceRecord);
}

export async function deleteResource(db: Db, uri: string): Promise<boolean> {
  return affected(await db.deleteFrom('resources').where('uri', '=', uri).executeTakeFirst()) > 0;
}
