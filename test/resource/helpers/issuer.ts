// A small, real authorization server for the resource SDK's tests: node:http serving RFC 8414 discovery,
// a JWKS of ES256 and RS256 keys made with jose, and an RFC 7662 introspection endpoint backed by a Map.
// It counts every request so tests can assert how often the SDK asked.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

export type TestAlg = 'ES256' | 'RS256';

interface TestKey {
  kid: string;
  alg: TestAlg;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface SignOptions {
  kid?: string;
  alg?: TestAlg;
  /** Claims merged over the defaults (iss, aud, sub, client_id, scope, iat, exp, jti); `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Header parameters merged over { alg, typ: 'at+jwt', kid }. */
  header?: Record<string, unknown>;
}

export interface IssuerOptions {
  /** Which discovery documents exist. Default 'oauth' (RFC 8414 only). */
  discovery?: 'oauth' | 'oidc';
  /** What the metadata says the issuer is (to test the mismatch check). Default: the real URL. */
  advertisedIssuer?: (url: string) => string;
  /** Leave introspection_endpoint out of the metadata. */
  noIntrospection?: boolean;
}

export const AUDIENCE = 'http://api.test/leads';
export const INTROSPECTION_CLIENT = { clientId: 'leads-api', clientSecret: 's3cret: with spaces & symbols' };

export class TestIssuer {
  readonly hits = { oauthMetadata: 0, oidcMetadata: 0, jwks: 0, introspection: 0 };
  /** token → the introspection answer for it (anything absent is `{ active: false }`). */
  readonly opaque = new Map<string, Record<string, unknown>>();
  private readonly keys = new Map<string, TestKey>();
  private readonly published = new Set<string>();
  /** Delay JWKS answers (ms), so concurrent requests overlap. */
  jwksDelayMs = 0;
  url = '';

  private constructor(private readonly server: Server, private readonly options: IssuerOptions) {}

  static async start(options: IssuerOptions = {}): Promise<TestIssuer> {
    const server = createServer();
    const issuer = new TestIssuer(server, options);
    server.on('request', (req, res) => {
      issuer.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        },
        (error: unknown) => {
          res.writeHead(500).end(String(error));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [alg, kid] of [['ES256', 'es-1'], ['RS256', 'rs-1']] as const) {
      issuer.keys.set(kid, await defaultKey(alg, kid));
      issuer.published.add(kid);
    }
    return issuer;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Makes a key; published in the JWKS unless told otherwise. */
  async addKey(alg: TestAlg, kid: string, publish = true): Promise<void> {
    this.keys.set(kid, await makeKey(alg, kid));
    if (publish) this.published.add(kid);
  }

  publish(kid: string): void {
    this.published.add(kid);
  }

  publicJwk(kid: string): JWK {
    const key = this.keys.get(kid);
    if (!key) throw new Error(`no key ${kid}`);
    return key.publicJwk;
  }

  /** A JWT access token as RFC 9068 describes it, valid for an hour unless the claims say otherwise. */
  async sign(options: SignOptions = {}): Promise<string> {
    const kid = options.kid ?? (options.alg === 'RS256' ? 'rs-1' : 'es-1');
    const key = this.keys.get(kid);
    if (!key) throw new Error(`no key ${kid}`);
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.url,
      aud: AUDIENCE,
      sub: 'user-1',
      client_id: 'zapier-client',
      scope: 'read:leads openid',
      iat: now,
      exp: now + 3600,
      jti: `jti-${Math.random().toString(36).slice(2)}`,
      ...options.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return new SignJWT(claims as JWTPayload)
      .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid, ...options.header } as { alg: string })
      .sign(key.privateKey);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (path === '/.well-known/oauth-authorization-server') {
      this.hits.oauthMetadata += 1;
      return this.options.discovery === 'oidc' ? { status: 404, body: { error: 'not_found' } } : { status: 200, body: this.metadata() };
    }
    if (path === '/.well-known/openid-configuration') {
      this.hits.oidcMetadata += 1;
      return this.options.discovery === 'oidc' ? { status: 200, body: this.metadata() } : { status: 404, body: { error: 'not_found' } };
    }
    if (path === '/jwks') {
      this.hits.jwks += 1;
      if (this.jwksDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.jwksDelayMs));
      return { status: 200, body: { keys: [...this.published].map((kid) => this.keys.get(kid)!.publicJwk) } };
    }
    if (path === '/introspect' && req.method === 'POST') {
      this.hits.introspection += 1;
      const client = basicCredentials(req.headers.authorization);
      if (client?.id !== INTROSPECTION_CLIENT.clientId || client.secret !== INTROSPECTION_CLIENT.clientSecret) {
        return { status: 401, body: { error: 'invalid_client' } };
      }
      const form = new URLSearchParams(await readBody(req));
      const token = form.get('token') ?? '';
      return { status: 200, body: this.opaque.get(token) ?? { active: false } };
    }
    return { status: 404, body: { error: 'not_found' } };
  }

  private metadata(): Record<string, unknown> {
    const metadata: Record<string, unknown> = {
      issuer: this.options.advertisedIssuer ? this.options.advertisedIssuer(this.url) : this.url,
      jwks_uri: `${this.url}/jwks`,
      token_endpoint: `${this.url}/oauth2/token`,
    };
    if (!this.options.noIntrospection) metadata.introspection_endpoint = `${this.url}/introspect`;
    return metadata;
  }
}

/** RFC 6749 §2.3.1: base64 of form-urlencoded id ":" form-urlencoded secret. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic (\S+)$/.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

async function makeKey(alg: TestAlg, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** The two default keys are made once per process: RSA key generation is slow, and every test starts an issuer. */
const defaultKeys = new Map<string, Promise<TestKey>>();
function defaultKey(alg: TestAlg, kid: string): Promise<TestKey> {
  let key = defaultKeys.get(kid);
  if (!key) {
    key = makeKey(alg, kid);
    defaultKeys.set(kid, key);
  }
  return key;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** An introspection answer for an active opaque token, valid for an hour. */
export function activeIntrospection(issuer: TestIssuer, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    active: true,
    iss: issuer.url,
    aud: AUDIENCE,
    sub: 'user-2',
    client_id: 'partner-app',
    scope: 'read:leads',
    token_type: 'Bearer',
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}
