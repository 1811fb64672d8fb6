// Scope strings (RFC 6749 §3.3): parsing, the "no wider than" rule, and the words the consent page shows.
import { InvalidScope } from './errors.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Splits a scope parameter into its distinct scopes, in order; an invalid character is invalid_scope. */
export function parseScope(raw: string | undefined, parameter = 'scope'): string[] {
  if (raw === undefined) return [];
  const scopes: string[] = [];
  for (const scope of raw.split(' ')) {
    if (scope === '') continue;
    if (!SCOPE_TOKEN.test(scope)) {
      throw new InvalidScope(`${parameter} contains "${scope.slice(0, 40)}", which is not a valid scope token (RFC 6749 §3.3)`);
    }
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  return scopes;
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/** Throws invalid_scope naming what was asked beyond `allowed`. */
export function requireWithin(requested: readonly string[], allowed: readonly string[], what: string): void {
  const beyond = requested.filter((scope) => !allowed.includes(scope));
  if (beyond.length === 0) return;
  const list = allowed.length ? `"${formatScope(allowed)}"` : 'no scopes';
  throw new InvalidScope(`${what} asked for ${beyond.map((s) => `"${s}"`).join(', ')}, beyond ${list}`);
}

export function isWithin(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((scope) => allowed.includes(scope));
}

/**
 * What the consent page says a scope allows: the configured description, else one made from
 * "verb:noun" scopes ("read:leads" → "Read your leads"), else the scope itself.
 */
export function describeScope(scope: string, catalogue: Record<string, string>): string {
  const configured = catalogue[scope];
  if (configured) return configured;
  const match = /^([a-z]+)[:.]([a-z][a-z_-]*)$/i.exec(scope);
  if (match) {
    const verb = match[1]!.toLowerCase();
    const noun = match[2]!.replace(/[_-]/g, ' ');
    return `${verb[0]!.toUpperCase()}${verb.slice(1)} your ${noun}`;
  }
  return scope;
}

