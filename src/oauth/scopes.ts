// Scopes in the protocol: a bad scope parameter or one asked beyond what is allowed is invalid_scope, and the
// words the consent page shows. The scope syntax and the "no wider than" rule are domain/scopes.ts.
import { formatScope, parseScopeList, ScopeSyntaxError } from '../domain/scopes.js';
import { InvalidScope } from './errors.js';

/** Splits a scope parameter into its distinct scopes, in order; an invalid character is invalid_scope. */
export function parseScope(raw: string | undefined, parameter = 'scope'): string[] {
  try {
    return parseScopeList(raw, parameter);
  } catch (error) {
    throw error instanceof ScopeSyntaxError ? new InvalidScope(error.message) : error;
  }
}

/** Throws invalid_scope naming what was asked beyond `allowed`. */
export function requireWithin(requested: readonly string[], allowed: readonly string[], what: string): void {
  const beyond = requested.filter((scope) => !allowed.includes(scope));
  if (beyond.length === 0) return;
  const list = allowed.length ? `"${formatScope(allowed)}"` : 'no scopes';
  throw new InvalidScope(`${what} asked for ${beyond.map((s) => `"${s}"`).join(', ')}, beyond ${list}`);
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

