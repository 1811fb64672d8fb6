// Asking the issuer about a token (RFC 7662): POST token=… with client_secret_basic. Answers are cached
// briefly (introspection-cache.ts) and the same token asked about concurrently is asked once. What the
// issuer says is then checked like a JWT would be: active, not expired, our issuer, our audience.
import {
  IssuerMetadataInvalidError,
  IssuerUnreachableError,
  TokenExpiredError,
  TokenInactiveError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenWrongAudienceError,
  TokenWrongIssuerError,
} from './errors.js';
import { IntrospectionCache, tokenCacheKey } from './introspection-cache.js';
import { fetchIssuerJson, unexpectedStatus, type IssuerHttpOptions } from './issuer-http.js';
import { audienceList, principalOf, quote } from './jwt.js';
import type { Principal } from './types.js';

export interface IntrospectorOptions {
  clientId: string;
  clientSecret: string;
  issuer: string;
  audience: readonly string[];
  http: IssuerHttpOptions;
  cacheSeconds: number;
  cacheMaxEntries: number;
  clockToleranceSeconds: number;
  now?: () => number;
}

type IntrospectionResponse = Record<string, unknown>;

export class Introspector {
  private readonly cache: IntrospectionCache<IntrospectionResponse>;
  private readonly inflight = new Map<string, Promise<IntrospectionResponse>>();
  private readonly now: () => number;
  /** Requests actually sent to the introspection endpoint (cache misses). */
  requests = 0;

  constructor(private readonly options: IntrospectorOptions) {
    this.now = options.now ?? Date.now;
    this.cache = new IntrospectionCache({ maxEntries: options.cacheMaxEntries, now: this.now });
  }

  /** The principal for an active token; throws an InvalidTokenError for any other. */
  async introspect(token: string, endpoint: string): Promise<Principal> {
    const response = await this.lookup(token, endpoint);
    return this.judge(response, token);
  }

  private async lookup(token: string, endpoint: string): Promise<IntrospectionResponse> {
    const key = tokenCacheKey(token);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.ask(token, endpoint)
        .then((response) => {
          this.cache.set(key, response, this.ttlMs(response));
          return response;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** Never beyond the token's own expiry; a negative answer is kept as long as a positive one. */
  private ttlMs(response: IntrospectionResponse): number {
    const ttl = this.options.cacheSeconds * 1000;
    if (response.active === true && typeof response.exp === 'number') return Math.min(ttl, response.exp * 1000 - this.now());
    return ttl;
  }

  private async ask(token: string, endpoint: string): Promise<IntrospectionResponse> {
    this.requests += 1;
    const credentials = Buffer.from(`${formEncode(this.options.clientId)}:${formEncode(this.options.clientSecret)}`).toString('base64');
    const { status, body } = await fetchIssuerJson(this.options.http, endpoint, 'token introspection', {
      method: 'POST',
      headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    if (status === 401 || status === 403) {
      throw new IssuerUnreachableError(`the introspection endpoint rejected this resource server's client credentials (HTTP ${status})`, {
        hint: 'check introspection.clientId and introspection.clientSecret',
      });
    }
    if (body === undefined) throw unexpectedStatus(endpoint, 'token introspection', status);
    if (typeof body.active !== 'boolean') throw new IssuerMetadataInvalidError(`token introspection at ${endpoint} answered without a boolean "active"`);
    return body;
  }

  private judge(response: IntrospectionResponse, token: string): Principal {
    if (response.active !== true) {
      const hint = token.startsWith('ghr_') ? 'this is a refresh token: send the access token' : 'get a new access token';
      throw new TokenInactiveError('introspection says the token is not active (revoked, expired or unknown)', { hint });
    }
    if (response.token_use === 'refresh_token' || response.token_type === 'refresh_token') {
      throw new TokenInactiveError('introspection says this is a refresh token, not an access token', { hint: 'send the access token' });
    }
    const now = this.now() / 1000;
    const tolerance = this.options.clockToleranceSeconds;
    if (typeof response.exp === 'number' && response.exp + tolerance <= now) {
      throw new TokenExpiredError(`the token expired at ${new Date(response.exp * 1000).toISOString()}`, { hint: 'refresh the access token' });
    }
    if (typeof response.nbf === 'number' && response.nbf - tolerance > now) {
      throw new TokenNotYetValidError(`the token is not valid before ${new Date(response.nbf * 1000).toISOString()}`);
    }
    if (response.iss !== undefined && response.iss !== this.options.issuer) {
      throw new TokenWrongIssuerError(`introspection names iss ${quote(response.iss)}, not the configured issuer`);
    }
    // RFC 7662 makes aud optional; when the issuer states it, it must name this resource.
    const audience = audienceList(response.aud);
    if (response.aud !== undefined && !audience.some((aud) => this.options.audience.includes(aud))) {
      throw new TokenWrongAudienceError(
        `the token's aud ${quote(response.aud)} does not name this resource (expected ${this.options.audience.map(quote).join(' or ')})`,
        { hint: 'the token was issued for another API' },
      );
    }
    return principalOf(response, 'opaque');
  }
}

/** RFC 6749 §2.3.1: client_id and client_secret are form-urlencoded before Basic encoding. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
