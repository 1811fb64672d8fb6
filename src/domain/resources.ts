// Registered resources (RFC 8707): the APIs a client may name in `resource`, so that its access token is meant for
// them alone (`aud`). Registration checks the URI, name and scopes; the authorization and token endpoints read
// resources through a short cache, as they read clients (client-cache.ts): a change made on this instance is seen
// at once, on other instances within RESOURCE_CACHE_MS.
import type { AdminStore } from '../store/administration.js';
import type { ResourceRecord } from '../store/types.js';
import { controlCharacterIn, controlOrSpaceIn } from '../util/text.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { parseScopeList, ScopeSyntaxError } from './scopes.js';

export const RESOURCE_CACHE_MS = 1000;
const MAX_ENTRIES = 10_000;
export const MAX_RESOURCE_URI_LENGTH = 2000;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Bad input to resource registration: the message names the field and what it must be. */
export class ResourceInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceInputError';
  }
}

/**
 * Why `uri` cannot be a resource indicator, or undefined when it can: an absolute URI (RFC 8707 §2) without
 * fragment or query, without control characters or spaces, at most MAX_RESOURCE_URI_LENGTH characters.
 */
export function resourceUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_RESOURCE_URI_LENGTH) return `is longer than ${MAX_RESOURCE_URI_LENGTH} characters`;
  const bad = controlOrSpaceIn(uri);
  if (bad) return `contains a control or whitespace character (${bad})`;
  if (!SCHEME.test(uri)) return 'is not an absolute URI (RFC 8707 §2: scheme and path, such as https://api.example.com)';
  try {
    new URL(uri);
  } catch {
    return 'is not an absolute URI (RFC 8707 §2: scheme and path, such as https://api.example.com)';
  }
  if (uri.includes('#')) return 'must not contain a fragment (#) (RFC 8707 §2)';
  if (uri.includes('?')) return 'must not contain a query (?) (RFC 8707 §2)';
  return undefined;
}

export interface ResourceInput {
  uri: string;
  name?: string | null;
  /** Space-separated; empty or absent accepts any scope. */
  scopes?: string;
}

export class ResourceService {
  private readonly entries = new Map<string, { resource: ResourceRecord; until: number }>();

  constructor(
    private readonly store: Pick<AdminStore, 'getResource' | 'createResource' | 'deleteResource'>,
    private readonly clock: Clock,
  ) {}

  /** A registered resource, read through the cache; unknown URIs are never cached. */
  async get(uri: string): Promise<ResourceRecord | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(uri);
    if (hit && hit.until > now) return hit.resource;
    const resource = await this.store.getResource(uri);
    if (resource) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(uri, { resource, until: now + RESOURCE_CACHE_MS });
    } else {
      this.entries.delete(uri);
    }
    return resource;
  }

  /** Validates and stores a resource; a URI already registered throws the store's DuplicateError. */
  async create(input: ResourceInput): Promise<ResourceRecord> {
    const problem = resourceUriProblem(input.uri);
    if (problem) throw new ResourceInputError(`resource URI ${JSON.stringify(input.uri.slice(0, 200))} ${problem}`);
    const name = input.name === undefined || input.name === null || input.name === '' ? null : input.name;
    if (name !== null) {
      if (name.length > 100) throw new ResourceInputError('a resource name must be at most 100 characters');
      const bad = controlCharacterIn(name);
      if (bad) throw new ResourceInputError(`a resource name must not contain control characters (found ${bad})`);
      if (name.trim() === '') throw new ResourceInputError('a resource name must not be blank');
    }
    let scopes: string[];
    try {
      scopes = parseScopeList(input.scopes, 'scope');
    } catch (error) {
      if (error instanceof ScopeSyntaxError) throw new ResourceInputError(error.message);
      throw error;
    }
    const resource: ResourceRecord = { uri: input.uri, name, scopes, createdAt: epochSeconds(this.clock) };
    await this.store.createResource(resource);
    this.entries.delete(resource.uri);
    return resource;
  }

  async delete(uri: string): Promise<boolean> {
    this.entries.delete(uri);
    return this.store.deleteResource(uri);
  }
}
