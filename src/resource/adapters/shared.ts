// What the three adapters share, so each stays a thin translation between its framework and the core.
import type { TokenVerifier } from '../verifier.js';

/** `requireScopes('read:leads write:leads')`, `requireScopes('read:leads', 'write:leads')` and arrays all mean AND. */
export function normalizeScopes(scopes: string | ReadonlyArray<string | readonly string[]> | undefined): string[] {
  if (scopes === undefined) return [];
  const list = typeof scopes === 'string' ? [scopes] : scopes.flat();
  return [...new Set(list.flatMap((scope) => scope.split(' ')).filter((scope) => scope !== ''))];
}

/** The metadata document is public and cacheable; any origin may read it (browser-based MCP clients do). */
export const METADATA_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'public, max-age=3600',
  'access-control-allow-origin': '*',
};

/** True when a GET/HEAD to this request target should be answered with the protected resource metadata. */
export function isMetadataRequest(verifier: TokenVerifier, method: string | undefined, target: string): boolean {
  if (method !== undefined && method !== 'GET' && method !== 'HEAD') return false;
  const path = target.split('?', 1)[0] ?? '';
  return verifier.metadataPaths.includes(path);
}
