// `npm run leads-api`: the leads API alone, against GATEHOUSE_ISSUER.
import { buildLeadsApi } from './app.js';
import { LeadStore } from './leads-store.js';

const port = Number(process.env.LEADS_API_PORT || 4000);
const issuer = (process.env.GATEHOUSE_ISSUER || 'http://localhost:4444').replace(/\/$/, '');
const resource = process.env.LEADS_API_URL || `http://localhost:${port}`;
const audience = process.env.LEADS_API_AUDIENCE || process.env.GATEHOUSE_DEFAULT_AUDIENCE || issuer;
const introspection = process.env.LEADS_API_CLIENT_ID && process.env.LEADS_API_CLIENT_SECRET
  ? { clientId: process.env.LEADS_API_CLIENT_ID, clientSecret: process.env.LEADS_API_CLIENT_SECRET }
  : undefined;

const app = await buildLeadsApi({ issuer, audience, resource, leads: new LeadStore(), introspection, logLevel: process.env.LEADS_API_LOG_LEVEL ?? 'info' });
await app.listen({ port, host: process.env.LEADS_API_HOST || 'localhost' });
console.log(`Leads API on ${resource} (GET/POST /api/leads), trusting tokens from ${issuer} for audience ${audience}`);
