// Inputs that timed runs consume, made before the run: authorization codes through each server's real
// authorization flow (sign-in and consent once, then one GET of the authorization endpoint per code), and
// access tokens to introspect or verify.
import autocannon from 'autocannon';
import { CODE_CHALLENGE, PASSWORD, REDIRECT_URI, SCOPE, USERNAME, basicAuth, type ClientCredentials, type ServerInfo } from './fixtures.js';

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** Enough of a cookie jar for two servers on loopback: name, value and path. */
export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter((cookie) => url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  update(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', raw = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = raw || '/';
        if (key.toLowerCase() === 'max-age' && Number(raw) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(raw) < Date.now()) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }
}

async function send(jar: CookieJar, url: URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.update(response);
  return response;
}

function decodeHtml(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_match, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[lower] ?? "'";
  });
}

/** Hidden inputs of the first form on a page, by name. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = match[0];
    if (!/type\s*=\s*"hidden"/i.test(tag)) continue;
    const name = /name\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
    const value = /value\s*=\s*"([^"]*)"/i.exec(tag)?.[1] ?? '';
    if (name !== undefined) fields[decodeHtml(name)] = decodeHtml(value);
  }
  return fields;
}

function formAction(html: string, base: URL): URL {
  const action = /<form\b[^>]*action\s*=\s*"([^"]*)"/i.exec(html)?.[1];
  return new URL(action !== undefined ? decodeHtml(action) : base.pathname, base);
}

export function authorizationUrl(server: ServerInfo, state: string): URL {
  const url = new URL(server.authorizePath, server.url);
  url.search = new URLSearchParams({
    client_id: server.clients.web.id,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: SCOPE,
    state,
    code_challenge: CODE_CHALLENGE,
    code_challenge_method: 'S256',
  }).toString();
  return url;
}

function codeFrom(location: string): string | undefined {
  if (!location.startsWith(REDIRECT_URI)) return undefined;
  const params = new URL(location).searchParams;
  const error = params.get('error');
  if (error !== null) throw new Error(`authorization failed: ${error} ${params.get('error_description') ?? ''}`);
  return params.get('code') ?? undefined;
}

/**
 * Drives one authorization request to its code: follows redirects, signs in on a login form and allows on a
 * consent form (Gatehouse's pages), or passes through oidc-provider's interaction endpoint.
 */
export async function obtainCode(server: ServerInfo, jar: CookieJar, state = 'bench'): Promise<string> {
  let url = authorizationUrl(server, state);
  let response = await send(jar, url);
  for (let step = 0; step < 12; step++) {
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location') ?? '';
      const code = codeFrom(location);
      if (code !== undefined) return code;
      url = new URL(location, url);
      response = await send(jar, url);
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`${url.pathname} answered ${response.status}: ${html.slice(0, 300)}`);
    const fields = hiddenFields(html);
    const form = new URLSearchParams(fields);
    if (/name\s*=\s*"password"/i.test(html)) {
      form.set('username', USERNAME);
      form.set('password', PASSWORD);
    } else if (/name\s*=\s*"decision"/i.test(html)) {
      form.set('decision', 'allow');
    } else {
      throw new Error(`unexpected page at ${url.pathname}: ${html.slice(0, 300)}`);
    }
    url = formAction(html, url);
    response = await send(jar, url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  }
  throw new Error('the authorization flow did not end with a code within 12 steps');
}

/**
 * Mints `count` codes: the first through the whole flow (sign-in, consent), the rest with the signed-in session
 * and the remembered consent, one authorization request each, driven by autocannon so that minting is quick.
 */
export async function mintCodes(server: ServerInfo, jar: CookieJar, count: number, connections = 16): Promise<string[]> {
  const codes = [await obtainCode(server, jar)];
  const url = authorizationUrl(server, 'bench');
  const cookie = jar.header(url);
  let failures = 0;
  for (let attempt = 0; codes.length < count && attempt < 5; attempt++) {
    const want = count - codes.length;
    await new Promise<void>((resolve, reject) => {
      autocannon({
        url: server.url,
        connections: Math.min(connections, want),
        pipelining: 1,
        amount: want,
        timeout: 10,
        sampleInt: 100,
        requests: [{
          method: 'GET',
          path: `${url.pathname}${url.search}`,
          headers: cookie ? { cookie } : {},
          onResponse(status, _body, _context, headers) {
            // Header names as sent: Koa says Location, Fastify location.
            const location = headers.location ?? headers.Location;
            const code = typeof location === 'string' ? codeFrom(location) : undefined;
            if (code !== undefined) codes.push(code);
            else failures++;
            void status;
          },
        }],
      }, (error) => (error ? reject(error) : resolve()));
    });
  }
  if (codes.length < count) throw new Error(`minted only ${codes.length} of ${count} codes (${failures} answers without a code)`);
  return codes;
}

export function tokenRequestInit(client: ClientCredentials, body: string): { method: string; headers: Record<string, string>; body: string } {
  return {
    method: 'POST',
    headers: { authorization: basicAuth(client), 'content-type': 'application/x-www-form-urlencoded' },
    body,
  };
}

/** `count` access tokens from the client_credentials grant (tokens to introspect or verify). */
export async function mintAccessTokens(server: ServerInfo, client: ClientCredentials, count: number): Promise<string[]> {
  const tokens: string[] = [];
  await new Promise<void>((resolve, reject) => {
    autocannon({
      url: server.url,
      connections: Math.min(8, count),
      pipelining: 1,
      amount: count,
      sampleInt: 100,
      requests: [{
        path: server.tokenPath,
        ...tokenRequestInit(client, `grant_type=client_credentials&scope=${encodeURIComponent(SCOPE)}`),
        onResponse(status, body) {
          if (status === 200) tokens.push((JSON.parse(body) as { access_token: string }).access_token);
        },
      }],
    }, (error) => (error ? reject(error) : resolve()));
  });
  if (tokens.length < count) throw new Error(`minted only ${tokens.length} of ${count} access tokens at ${server.url}`);
  return tokens;
}
