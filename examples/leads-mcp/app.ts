// The leads as an MCP server (Model Context Protocol, Streamable HTTP at /mcp): tools list_leads (read:leads) and
// add_lead (write:leads), for AI agents acting for a user. Protected by the resource SDK like the leads API, with
// what MCP clients rely on: RFC 9728 metadata at the root and at the path-suffixed location, a 401 whose
// WWW-Authenticate names resource_metadata and scope, and a 403 insufficient_scope per tool so clients step up.
import Fastify, { type FastifyInstance } from 'fastify';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import * as z from 'zod/v4';
import { createFastifyAuth, createTokenVerifier, mcpToolScopes, type Principal } from '../../src/resource/index.js';
import type { LeadStore } from '../leads-api/leads-store.js';

export interface LeadsMcpOptions {
  issuer: string;
  /** The MCP endpoint's URL (e.g. http://localhost:4100/mcp): its RFC 9728 resource and the `aud` its tokens carry. */
  resource: string;
  leads: LeadStore;
  logLevel?: string;
  /** The time in epoch milliseconds for expiry decisions (default Date.now). */
  now?: () => number;
}

/** Connecting at all needs read:leads; a tool that needs more is listed here and checked before the MCP server runs. */
export const CONNECT_SCOPE = 'read:leads';
export const TOOL_SCOPES = { add_lead: 'write:leads' } as const;

const FIELD = z.string().min(1).max(200);

function owner(principal: Principal): string {
  return principal.subject ?? `client:${principal.clientId}`;
}

/** One MCP server per request (stateless): its tools act for the request's principal. */
function mcpServerFor(principal: Principal, leads: LeadStore): McpServer {
  const server = new McpServer({ name: 'leads-mcp', version: '1.0.0' });
  server.registerTool('list_leads', {
    title: 'List leads',
    description: 'Lists the signed-in user\'s leads (needs read:leads).',
    annotations: { readOnlyHint: true },
  }, async () => {
    const list = leads.list(owner(principal));
    return { content: [{ type: 'text', text: JSON.stringify(list) }], structuredContent: { leads: list } };
  });
  server.registerTool('add_lead', {
    title: 'Add a lead',
    description: 'Adds a lead for the signed-in user (needs write:leads).',
    inputSchema: { name: FIELD, company: FIELD, email: FIELD },
  }, async (input) => {
    const lead = leads.add(owner(principal), input);
    return { content: [{ type: 'text', text: JSON.stringify(lead) }], structuredContent: { lead } };
  });
  return server;
}

const METHOD_NOT_ALLOWED = JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server is stateless, POST to /mcp.' }, id: null });

export async function buildLeadsMcp(options: LeadsMcpOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: options.logLevel ?? 'warn' } });
  const verifier = createTokenVerifier({
    issuer: options.issuer,
    // Tokens for this server name it: MCP clients send the MCP URL as `resource` (RFC 8707). A token for
    // another API, or for Gatehouse's default audience, is refused with 401.
    audience: [options.resource],
    resource: options.resource,
    resourceName: 'Leads MCP server',
    scopesSupported: ['read:leads', 'write:leads'],
    // The 403 asks for read:leads write:leads, so a client that re-authorizes with it keeps list_leads.
    stepUpScopes: 'cumulative',
    logger: app.log,
    now: options.now,
  });
  const auth = createFastifyAuth(verifier);
  await app.register(auth.plugin);
  const path = new URL(options.resource).pathname;
  const toolScopes = mcpToolScopes(TOOL_SCOPES);

  app.post(path, {
    onRequest: auth.requireScopes(CONNECT_SCOPE),
    preHandler: auth.requireScopesFrom((request) => toolScopes(request.body)),
  }, async (request, reply) => {
    const server = mcpServerFor(request.principal!, options.leads);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // The transport writes the answer itself, on the raw response.
    reply.hijack();
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });
  // Stateless: no server-initiated stream and no session to end. Still behind the token check.
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method, url: path, onRequest: auth.requireScopes(CONNECT_SCOPE),
      handler: async (_request, reply) => reply.code(405).header('allow', 'POST').type('application/json').send(METHOD_NOT_ALLOWED),
    });
  }
  return app;
}
