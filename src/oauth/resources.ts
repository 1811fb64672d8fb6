// Resource indicators (RFC 8707): the `resource` parameter, which may repeat, names the APIs the access token is
// for; they become its `aud`. Two rules:
//   - where a grant starts (the authorization endpoint, client_credentials): each resource is well formed,
//     registered (or GATEHOUSE_UNREGISTERED_RESOURCES=allow), and accepts the scopes asked for;
//   - where tokens are minted from what was granted (code, refresh token, device code): a `resource` may narrow
//     the granted audience to a subset, never widen it. No store read: the grant already holds its audience.
// Anything else is invalid_target, naming the resource.
import type { Config } from '../config.js';
import { resourceUriProblem, type ResourceService } from '../domain/resources.js';
import { InvalidTarget } from './errors.js';

/** Scopes about the user or the grant itself, not about any API: a resource's scope list never needs to name them. */
const PROTOCOL_SCOPES = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);

export interface ResourceCheckServices {
  resources: Pick<ResourceService, 'get'>;
  config: Pick<Config, 'unregisteredResources'>;
}

const quoted = (uri: string): string => JSON.stringify(uri.length > 200 ? `${uri.slice(0, 200)}…` : uri);

/** Throws invalid_target unless every resource may be asked for, with these scopes. */
export async function checkResources(services: ResourceCheckServices, resources: readonly string[], scopes: readonly string[]): Promise<void> {
  for (const uri of resources) {
    const problem = resourceUriProblem(uri);
    if (problem) throw new InvalidTarget(`resource ${quoted(uri)} ${problem}`);
  }
  for (const uri of resources) {
    const registered = await services.resources.get(uri);
    if (!registered) {
      if (services.config.unregisteredResources === 'allow') continue;
      throw new InvalidTarget(`resource ${quoted(uri)} is not registered with this server`);
    }
    if (registered.scopes.length === 0) continue;
    const refused = scopes.filter((scope) => !PROTOCOL_SCOPES.has(scope) && !registered.scopes.includes(scope));
    if (refused.length > 0) {
      throw new InvalidTarget(`resource ${quoted(uri)} does not accept scope ${refused.map((s) => `"${s}"`).join(', ')} (it accepts "${registered.scopes.join(' ')}")`);
    }
  }
}

/**
 * The scopes of `scopes` that every named resource accepts: what a client_credentials request that named resources
 * but no scope gets (its registered scopes, less those its resources refuse). Unknown resources restrict nothing.
 */
export async function scopesAcceptedBy(services: ResourceCheckServices, resources: readonly string[], scopes: readonly string[]): Promise<string[]> {
  let accepted = [...scopes];
  for (const uri of resources) {
    if (resourceUriProblem(uri)) continue;
    const registered = await services.resources.get(uri);
    if (registered && registered.scopes.length > 0) accepted = accepted.filter((scope) => PROTOCOL_SCOPES.has(scope) || registered.scopes.includes(scope));
  }
  return accepted;
}

/**
 * The audience of a token minted from a grant: what was granted, or the subset `requested` names. Naming a
 * resource that was not granted is invalid_target (RFC 8707 §2.2: a refresh may narrow, never widen).
 */
export function narrowAudience(requested: readonly string[], granted: readonly string[], what: string): string[] {
  if (requested.length === 0) return [...granted];
  const outside = requested.filter((uri) => !granted.includes(uri));
  if (outside.length > 0) {
    throw new InvalidTarget(`resource ${quoted(outside[0]!)} was not granted with this ${what} (granted: ${granted.map(quoted).join(', ')}); a resource here may only narrow the audience`);
  }
  return [...requested];
}
