// Scope lists (RFC 6749 §3.3): what a scope token may contain, and the "no wider than" rule. Clients, consents
// and tokens all keep scope lists, so the rule lives here; the protocol words a failure as invalid_scope
// (oauth/scopes.ts), client registration as a bad client input.

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A scope string with a character RFC 6749 §3.3 does not allow; the message names the parameter and the scope. */
export class ScopeSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScopeSyntaxError';
  }
}

/** Splits a space-separated scope string into its distinct scopes, in order. */
export function parseScopeList(raw: string | undefined, parameter = 'scope'): string[] {
  if (raw === undefined) return [];
  const scopes: string[] = [];
  for (const scope of raw.split(' ')) {
    if (scope === '') continue;
    if (!SCOPE_TOKEN.test(scope)) {
      throw new ScopeSyntaxError(`${parameter} contains "${scope.slice(0, 40)}", which is not a valid scope token (RFC 6749 §3.3)`);
    }
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  return scopes;
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

export function isWithin(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((scope) => allowed.includes(scope));
}
