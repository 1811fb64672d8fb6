// The third-party app of the story (the Zapier role): "Connect your account" runs the authorization code flow
// with PKCE through openid-client, then lists the user's leads from the platform's API, refreshing as needed.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import * as oidc from 'openid-client';
import { SessionStore, type BrowserSession } from './connection-store.js';
import { fetchLeads } from './leads-client.js';
import { homePage } from './pages.js';

export interface IntegrationAppOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This app's own public URL, e.g. http://localhost:3000 (its callback is /callback). */
  appUrl: string;
  leadsApiUrl: string;
  scope?: string;
}

const COOKIE = 'leadsync_session';

export async function buildIntegrationApp(options: IntegrationAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(cookie);
  await app.register(formbody);
  const sessions = new SessionStore();
  const redirectUri = `${options.appUrl}/callback`;
  let config: oidc.Configuration | undefined;
  const oidcConfig = async () => {
    const issuer = new URL(options.issuer);
    config ??= await oidc.discovery(issuer, options.clientId, undefined, oidc.ClientSecretBasic(options.clientSecret),
      issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined);
    return config;
  };

  function session(request: FastifyRequest, reply: FastifyReply): BrowserSession {
    const existing = sessions.get(request.cookies[COOKIE]);
    if (existing) return existing;
    const made = sessions.create();
    reply.setCookie(COOKIE, made.id, { httpOnly: true, sameSite: 'lax', path: '/' });
    return made.session;
  }

  const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body);

  app.get('/', async (request, reply) => {
    const current = session(request, reply);
    const notice = current.flash;
    current.flash = undefined;
    if (!current.connection) return html(reply, homePage({ connected: false, notice }));
    const result = await fetchLeads(await oidcConfig(), options.leadsApiUrl, current.connection);
    if (result.kind === 'reconnect') {
      current.connection = undefined;
      return html(reply, homePage({ connected: false, notice: result.reason }));
    }
    return html(reply, homePage({ connected: true, leads: result.leads, notice }));
  });

  app.get('/connect', async (request, reply) => {
    const current = session(request, reply);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    current.pending = { state, codeVerifier };
    const url = oidc.buildAuthorizationUrl(await oidcConfig(), {
      redirect_uri: redirectUri,
      scope: options.scope ?? 'read:leads',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return reply.redirect(url.href, 303);
  });

  app.get('/callback', async (request, reply) => {
    const current = session(request, reply);
    const pending = current.pending;
    current.pending = undefined;
    const query = request.query as Record<string, string | undefined>;
    if (query.error) {
      current.flash = query.error === 'access_denied'
        ? 'You chose not to connect LeadSync. Nothing was shared.'
        : `Connecting failed: ${query.error_description ?? query.error}`;
      return reply.redirect('/', 303);
    }
    if (!pending) {
      current.flash = 'That sign-in link has expired. Connect again.';
      return reply.redirect('/', 303);
    }
    try {
      const tokens = await oidc.authorizationCodeGrant(await oidcConfig(), new URL(request.url, options.appUrl), {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
      });
      current.connection = {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresAt: Date.now() + (tokens.expires_in ?? 3600) * 1000,
      };
      current.flash = 'Connected. LeadSync can now read your leads.';
    } catch (error) {
      current.flash = `Connecting failed: ${(error as Error).message}`;
    }
    return reply.redirect('/', 303);
  });

  app.post('/disconnect', async (request, reply) => {
    const current = session(request, reply);
    if (current.connection?.refreshToken) {
      await oidc.tokenRevocation(await oidcConfig(), current.connection.refreshToken).catch(() => undefined);
    }
    current.connection = undefined;
    current.flash = 'Disconnected.';
    return reply.redirect('/', 303);
  });

  return app;
}
