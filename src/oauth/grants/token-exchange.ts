// grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693): a client holding a user's access token —
// the resource server it was sent to, or the client it was issued to (an agent) — trades it for a narrower access
// token meant for another registered resource. The new token is the same user's (`sub`), names who acts for them
// in `act` (nesting the actors of earlier exchanges: the chain), and is tied to the subject token's grant, so
// revoking that grant (connected apps, admin, CLI) ends it too. It never outlives the subject token, never carries
// more scope than the subject token, the target resource and the client allow, and comes without a refresh token.
//
// Who may exchange what:
//   - the client is allowed this grant type (token.ts) and is confidential (domain/clients.ts);
//   - the subject token was issued to this client, or is meant for a resource this client serves (resource_server_for);
//   - an actor_token, when sent, is an active access token issued to this client;
//   - every target is in the client's token_exchange_resources (CLI --token-exchange-resource; none by default);
//   - every target (resource / audience) is a registered resource that accepts the scopes (whatever
//     GATEHOUSE_UNREGISTERED_RESOURCES says: an exchange mints a token for an API nobody asked the user about);
//   - the scopes are within the subject token's and within the client's registered scopes.
import { formatScope } from '../../domain/scopes.js';
import { tokenStatus } from '../../domain/token-status.js';
import type { AccessTokenRecord, ActClaim } from '../../store/types.js';
import { InvalidGrant, InvalidRequest, InvalidScope, InvalidTarget } from '../errors.js';
import { checkResources, scopesAcceptedBy, type ResourceCheckServices } from '../resources.js';
import { parseScope, requireWithin } from '../scopes.js';
import type { GrantContext, GrantHandler } from './types.js';

export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** How many actors a chain may record: each exchange adds one, and the chain travels in every token. */
export const MAX_ACTORS = 5;

/** Scopes about signing in or the grant itself: an exchanged token is for an API, with no id_token or refresh token. */
const NOT_EXCHANGED = new Set(['openid', 'offline_access']);

export const tokenExchangeGrant: GrantHandler = async (context) => {
  const { client, params, now } = context;
  const subjectToken = params.required('subject_token', 'the access token to exchange');
  requireTokenType(params.required('subject_token_type', ACCESS_TOKEN_TYPE), 'subject_token_type');
  const actorToken = params.optional('actor_token');
  const actorTokenType = params.optional('actor_token_type');
  if (actorToken !== undefined) requireTokenType(actorTokenType ?? '', 'actor_token_type');
  else if (actorTokenType !== undefined) throw new InvalidRequest('actor_token_type was sent without actor_token');
  const requestedType = params.optional('requested_token_type');
  if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE) {
    throw new InvalidRequest(`requested_token_type "${requestedType.slice(0, 200)}" is not supported; only ${ACCESS_TOKEN_TYPE} is issued`);
  }
  const resources = params.list('resource');
  const audience = params.optional('audience');
  if (resources.length === 0 && audience === undefined) {
    throw new InvalidRequest('resource or audience is required: name the registered resource the new token is for');
  }
  const requestedScope = params.optional('scope');

  const subject = await activeAccessToken(context, subjectToken, 'subject_token');
  if (subject.userId === null || subject.grantId === null) {
    throw new InvalidGrant('subject_token is a client\'s own token (client_credentials); only a user\'s access token can be exchanged');
  }
  if (subject.clientId !== client.clientId && !subject.audience.some((aud) => client.resourceServerFor.includes(aud))) {
    throw new InvalidGrant(`subject_token was issued to another client and is not meant for a resource client "${client.clientId}" serves (its resource_server_for)`);
  }
  const grant = await context.store.getGrant(subject.grantId);
  if (!grant || grant.revokedAt !== null) throw new InvalidGrant('subject_token has been revoked');

  const actor = actorToken === undefined ? { sub: client.clientId } : await actorOf(context, actorToken);
  const act = chain(actor, subject.act);

  // Targets: each resource, and the audience, must be a registered resource (RFC 8707 / RFC 8693 §2.1).
  const targets = [...new Set([...resources, ...(audience === undefined ? [] : [audience])])];
  const refused = targets.find((uri) => !client.tokenExchangeResources.includes(uri));
  if (refused !== undefined) {
    const allowed = client.tokenExchangeResources.length ? client.tokenExchangeResources.map((uri) => `"${uri}"`).join(', ') : 'none';
    throw new InvalidTarget(`client "${client.clientId}" may not exchange tokens for "${refused.slice(0, 200)}" (its token_exchange_resources: ${allowed})`);
  }
  const checks: ResourceCheckServices = { resources: context.resources, config: { unregisteredResources: 'refuse' } };
  const offered = subject.scopes.filter((scope) => !NOT_EXCHANGED.has(scope));
  let scopes: string[];
  if (requestedScope === undefined) {
    scopes = (await scopesAcceptedBy(checks, targets, offered)).filter((scope) => client.scopes.includes(scope));
    if (scopes.length === 0) {
      throw new InvalidScope(`none of the subject_token's scopes ("${formatScope(offered)}") is both accepted by the target and registered for client "${client.clientId}"`);
    }
  } else {
    scopes = parseScope(requestedScope);
    requireWithin(scopes, offered, 'the token exchange');
    requireWithin(scopes, client.scopes, `client "${client.clientId}"`);
  }
  for (const uri of resources) await checkTarget(checks, uri, scopes, 'resource');
  if (audience !== undefined && !resources.includes(audience)) await checkTarget(checks, audience, scopes, 'audience');

  const access = await context.tokens.issueAccessToken({
    client,
    userId: subject.userId,
    scopes,
    audience: targets,
    grantId: grant.id,
    authTime: grant.authTime,
    // The platform's extra claims travel with the user's grant, as introspection reads them for an opaque token.
    ext: grant.granted?.accessToken,
    act,
    notAfter: subject.expiresAt,
    // A DPoP proof with the exchange binds the new token to the exchanging party's key (RFC 9449), as for any grant.
    dpopJkt: context.dpopJkt,
    now,
  });
  // An opaque token is its row (inserted like a client's own token); its grant's revocation shows through the row's
  // join to the grant (store/token-sql.ts), so a revocation racing this insert still ends it. A JWT names the grant.
  if (access.needsRow) await context.store.issueClientToken(access.record);
  return { access_token: access.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: context.dpopJkt ? 'DPoP' : 'Bearer', expires_in: access.expiresIn, scope: formatScope(scopes) };
};

function requireTokenType(value: string, parameter: string): void {
  if (value === ACCESS_TOKEN_TYPE) return;
  const what = value === '' ? 'is required with actor_token' : `"${value.slice(0, 200)}" is not supported`;
  throw new InvalidRequest(`${parameter} ${what}; only ${ACCESS_TOKEN_TYPE} (an access token this server issued) is accepted`);
}

/** An access token this server issued that is usable now; anything else is invalid_grant naming what it is. */
async function activeAccessToken(context: GrantContext, token: string, parameter: string): Promise<AccessTokenRecord> {
  const presented = await context.tokens.identify(token, 'access_token');
  if (presented.kind === 'refresh_token' || presented.kind === 'id_token') {
    throw new InvalidGrant(`${parameter} is ${presented.kind === 'refresh_token' ? 'a refresh token' : 'an ID token'}, not an access token`);
  }
  if (presented.kind !== 'access_token' || !presented.record) {
    throw new InvalidGrant(`${parameter} is not an access token issued by this server, or its grant or client is gone`);
  }
  const state = tokenStatus(presented.record, context.now);
  if (state.status !== 'active') throw new InvalidGrant(`${parameter} has ${state.status === 'expired' ? 'expired' : 'been revoked'}`);
  return presented.record;
}

/** The acting party named by an actor_token: its subject, when it is an active access token of this very client. */
async function actorOf(context: GrantContext, token: string): Promise<ActClaim> {
  const actor = await activeAccessToken(context, token, 'actor_token');
  if (actor.clientId !== context.client.clientId) throw new InvalidGrant(`actor_token was not issued to client "${context.client.clientId}"`);
  return { sub: actor.userId ?? actor.clientId };
}

/** The new actor, with the subject token's chain nested under it (RFC 8693 §4.1: the outermost is the current actor). */
function chain(actor: ActClaim, previous: ActClaim | undefined): ActClaim {
  if (!previous) return actor;
  let depth = 1;
  for (let link: ActClaim | undefined = previous; link; link = link.act) depth++;
  if (depth > MAX_ACTORS) throw new InvalidGrant(`subject_token already records ${depth - 1} actors; a chain may hold at most ${MAX_ACTORS}`);
  return { ...actor, act: previous };
}

/** checkResources for one target, the error naming the parameter it came from. */
async function checkTarget(checks: ResourceCheckServices, uri: string, scopes: string[], parameter: 'resource' | 'audience'): Promise<void> {
  try {
    await checkResources(checks, [uri], scopes);
  } catch (error) {
    if (parameter === 'audience' && error instanceof InvalidTarget) {
      throw new InvalidTarget(error.message.replace(/^resource /, 'audience '));
    }
    throw error;
  }
}
