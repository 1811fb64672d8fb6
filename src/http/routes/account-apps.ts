// /account/apps: the signed-in user's connected apps, each revocable (story step 7).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import type { GrantSummary } from '../../store/types.js';
import { describeScope } from '../../oauth/scopes.js';
import { csrfToken, csrfValid, sessionCookie } from '../cookies.js';
import { renderConnectedAppsPage, renderRevokeConfirmPage } from '../pages/apps.js';
import { renderErrorPage } from '../pages/error.js';
import { openRevokedNotice, sealRevokedNotice } from '../revoked-notice.js';
import { sameOriginPath } from '../same-origin-path.js';
import { sendPage } from '../send-page.js';
import { resourceNames } from './authorize.js';

interface ConnectedApp {
  clientId: string;
  clientName: string;
  scopes: string[];
  /** The audiences granted beyond the default one: the resources (RFC 8707) named when connecting. */
  audience: string[];
  connectedAt: number;
  lastUsedAt: number;
}

/** One entry per app: a user may hold several grants for the same app (one per connection). */
export function groupByApp(grants: GrantSummary[], defaultAudience?: string): ConnectedApp[] {
  const apps = new Map<string, ConnectedApp>();
  for (const grant of grants) {
    const audience = (grant.granted?.audience ?? []).filter((uri) => uri !== defaultAudience);
    const app = apps.get(grant.clientId);
    if (!app) {
      apps.set(grant.clientId, { clientId: grant.clientId, clientName: grant.clientName, scopes: [...grant.scopes], audience, connectedAt: grant.createdAt, lastUsedAt: grant.lastUsedAt });
      continue;
    }
    app.scopes = [...new Set([...app.scopes, ...grant.scopes])];
    app.audience = [...new Set([...app.audience, ...audience])];
    app.connectedAt = Math.min(app.connectedAt, grant.createdAt);
    app.lastUsedAt = Math.max(app.lastUsedAt, grant.lastUsedAt);
  }
  return [...apps.values()].sort((a, b) => b.lastUsedAt - a.lastUsedAt);
}

export async function accountAppsRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const { config } = services;
  const secure = config.secureCookies;

  app.get('/account/apps', async (request, reply) => {
    const signedIn = await services.accounts.resolveSession(sessionCookie(request));
    if (!signedIn) return reply.redirect('/login?return_to=%2Faccount%2Fapps', 303);
    const grants = await services.store.listGrants({ userId: signedIn.user.id });
    const now = services.now();
    const revoked = openRevokedNotice(config.secret, signedIn.user.id, (request.query as Record<string, unknown>).revoked, now);
    const client = revoked === undefined ? undefined : await services.store.getClient(revoked);
    const notice = client ? `${client.name} no longer has access to your account.` : undefined;
    return sendPage(reply, 200, renderConnectedAppsPage({
      csrfToken: csrfToken(request, reply, secure),
      username: signedIn.user.username,
      notice,
      now,
      apps: await Promise.all(groupByApp(grants, config.defaultAudience).map(async (entry) => ({
        ...entry,
        resources: await resourceNames(services, entry.audience),
        scopes: entry.scopes.map((scope) => ({ scope, description: describeScope(scope, config.scopeDescriptions) })),
        // APIs that verify JWTs locally accept them until they expire: say how long that can be.
        accessTokenTtlSeconds: (await services.store.getClient(entry.clientId))?.accessTokenTtl,
      }))),
    }));
  });

  app.post<{ Params: { clientId: string } }>('/account/apps/:clientId/revoke', async (request, reply) => {
    const signedIn = await services.accounts.resolveSession(sessionCookie(request));
    if (!signedIn) return reply.redirect('/login?return_to=%2Faccount%2Fapps', 303);
    if (!csrfValid(request, (request.body as Record<string, unknown> | undefined)?.csrf, secure)) {
      return sendPage(reply, 403, renderErrorPage({ title: 'This form has expired', message: 'Reload Connected apps and try again.' }));
    }
    const { clientId } = request.params;
    // The list's button asks first: a confirmation page whose form comes back with confirm=yes (no script needed).
    if ((request.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      const grants = await services.store.listGrants({ userId: signedIn.user.id });
      if (!grants.some((grant) => grant.clientId === clientId)) return reply.redirect('/account/apps', 303);
      const client = await services.store.getClient(clientId);
      return sendPage(reply, 200, renderRevokeConfirmPage({
        csrfToken: csrfToken(request, reply, secure),
        clientId,
        clientName: client?.name ?? clientId,
        accessTokenTtlSeconds: client?.accessTokenTtl,
      }));
    }
    const now = services.now();
    const revoked = await services.store.revokeClientAccess(signedIn.user.id, clientId, now, 'revoked by the user in connected apps');
    await services.audit.record({ event: 'consent.withdrawn', actor: { type: 'user', id: signedIn.user.id, address: request.ip }, subject: signedIn.user.username, clientId, detail: { by: 'user', grants_revoked: revoked } });
    // The banner names only what this request really revoked.
    if (revoked === 0) return reply.redirect('/account/apps', 303);
    const notice = encodeURIComponent(sealRevokedNotice(config.secret, signedIn.user.id, clientId, now));
    return reply.redirect(sameOriginPath(`/account/apps?revoked=${notice}`, config.issuer), 303);
  });
}
