// Per-tool scopes for an MCP server (Model Context Protocol, Streamable HTTP). Every MCP request goes to one
// URL, so which scope a request needs depends on its JSON-RPC body: `tools/call` with a tool's `name`. Checking
// it at the HTTP level, before the MCP server runs, is what lets MCP clients step up: they react to an HTTP 403
// `insufficient_scope` by asking for the challenge's `scope`, never to a JSON-RPC error.
import { normalizeScopes } from './adapters/shared.js';

/** Tool name → the scopes calling it needs, beyond what the MCP endpoint itself requires. */
export type McpToolScopes = Readonly<Record<string, string | readonly string[]>>;

/**
 * A function from a parsed request body (one JSON-RPC message or a batch) to the scopes it needs: the union of
 * the scopes of every tool it calls. Anything else (other methods, unknown tools, a body that is not JSON-RPC)
 * needs none here; the MCP server answers it.
 */
export function mcpToolScopes(tools: McpToolScopes): (body: unknown) => string[] {
  const byTool = new Map(Object.entries(tools).map(([name, scopes]) => [name, normalizeScopes(typeof scopes === 'string' ? scopes : [scopes])]));
  return (body) => {
    const messages = Array.isArray(body) ? body : [body];
    const needed = new Set<string>();
    for (const message of messages) {
      if (typeof message !== 'object' || message === null) continue;
      const { method, params } = message as { method?: unknown; params?: unknown };
      if (method !== 'tools/call' || typeof params !== 'object' || params === null) continue;
      const name = (params as { name?: unknown }).name;
      if (typeof name !== 'string' || !Object.hasOwn(tools, name)) continue;
      for (const scope of byTool.get(name) ?? []) needed.add(scope);
    }
    return [...needed];
  };
}
