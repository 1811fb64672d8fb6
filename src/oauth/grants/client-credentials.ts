// grant_type=client_credentials (RFC 6749 §4.4): a confidential client acting for itself, within its registered scopes.
import { formatScope } from '../../domain/scopes.js';
import { checkResources, scopesAcceptedBy } from '../resources.js';
import { parseScope, requireWithin } from '../scopes.js';
import type { GrantHandler } from './types.js';

export const clientCredentialsGrant: GrantHandler = async ({ store, tokens, resources: resourceService, config, client, params, dpopJkt, now }) => {
  const requested = params.optional('scope');
  const resources = params.list('resource');
  const resourceServices = { resources: resourceService, config };
  let scopes = requested === undefined ? client.scopes.filter((scope) => scope !== 'openid' && scope !== 'offline_access') : parseScope(requested);
  requireWithin(scopes, client.scopes, `client "${client.clientId}"`);
  // RFC 8707: the resources named become the audience, checked as at the authorization endpoint. Without a scope,
  // the client's scopes that its resources accept.
  if (resources.length > 0) {
    if (requested === undefined) scopes = await scopesAcceptedBy(resourceServices, resources, scopes);
    await checkResources(resourceServices, resources, scopes);
  }
  const access = await tokens.issueAccessToken({
    client,
    userId: null,
    scopes,
    audience: resources.length > 0 ? resources : [config.defaultAudience],
    grantId: null,
    authTime: null,
    dpopJkt,
    now,
  });
  // An opaque token is its row; a JWT stands on its own signature (see domain/tokens.ts).
  if (access.needsRow) await store.issueClientToken(access.record);
  return { access_token: access.token, token_type: dpopJkt ? 'DPoP' : 'Bearer', expires_in: access.expiresIn, scope: formatScope(scopes) };
};
