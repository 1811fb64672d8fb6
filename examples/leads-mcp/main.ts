// `npm run leads-mcp`: the leads MCP server alone, against GATEHOUSE_ISSUER. Register its URL at Gatehouse first:
// npx gatehouse resources create --uri http://localhost:4100/mcp --name "Leads MCP server" --scope "read:leads write:leads"
import { buildLeadsMcp } from './app.js';
import { LeadStore } from '../leads-api/leads-store.js';

const port = Number(process.env.LEADS_MCP_PORT || 4100);
const issuer = (process.env.GATEHOUSE_ISSUER || 'http://localhost:4444').replace(/\/$/, '');
const resource = process.env.LEADS_MCP_URL || `http://localhost:${port}/mcp`;

const app = await buildLeadsMcp({ issuer, resource, leads: new LeadStore(), logLevel: process.env.LEADS_MCP_LOG_LEVEL ?? 'info' });
await app.listen({ port, host: process.env.LEADS_MCP_HOST || 'localhost' });
console.log(`Leads MCP server on ${resource} (tools list_leads: read:leads, add_lead: write:leads), trusting tokens from ${issuer} for audience ${resource}`);
