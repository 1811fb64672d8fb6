// The core of the resource SDK: one verify path that every adapter goes through.
//   find the token → JWT? verify locally against the cached JWKS (and, with introspectJwts, ask the issuer)
//                  → otherwise introspect (cached briefly) → check the required scopes → a Principal.
// Every failure is a ResourceAuthError with a stable code; it is logged here, once, with its reason and
// hint (never the token), and rendered by challenge.ts.
import { createHash } from 'node:crypto';
import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { extractAccessToken, tokenFromHeaderOrToken, type PresentedToken } from './bearer.js';
import { checkDpopProof, MemoryDpopReplayCache, publicRequestUrl, recordDpopProof, type DpopReplayCache } from './dpop.js';
import { DPOP_PROOF_MAX_AGE_SECONDS, type VerifiedDpopProof } from '../jwt/dpop.js';
import { renderAuthError, type RenderedAuthError } from './challenge.js';
import { IssuerDiscovery, type IssuerMetadata } from './discovery.js';
import { InsufficientScopeError, IssuerMetadataInvalidError, ResourceAuthError, TokenDpopBindingError, TokenMalformedError } from './errors.js';
import { Introspector } from './introspection.js';
import { fetchIssuerJson, unexpectedStatus, type IssuerHttpOptions } from './issuer-http.js';
import { JwksCache } from './jwks-cache.js';
import { JWT_LEEWAY_SECONDS } from '../jwt/rules.js';
import { systemClock } from '../util/clock.js';
import { verifyJwtAccessToken } from './jwt.js';
import {
  assertResourceIdentifier,
  protectedResourceMetadata,
  protectedResourceMetadataPaths,
  protectedResourceMetadataUrl,
  type ProtectedResourceMetadata,
} from './metadata.js';
import type { BearerRequest, FetchLike, Principal, ResourceLogger, VerifyOptions } from './types.js';

export interface TokenVerifierOptions {
  /** The authorization server, exactly as its metadata's `issuer` says it (e.g. `http://localhost:4444`). */
  issuer: string;
  /** The `aud` value(s) that name this API; a token must carry at least one. */
  audience: string | readonly string[];
  /** This API's RFC 9728 resource identifier. Default: the first audience that is an http(s) URL other than the issuer. */
  resource?: string;
  /** The WWW-Authenticate realm. Default: the resource identifier. */
  realm?: string;
  /** Listed in the protected resource metadata. */
  scopesSupported?: readonly string[];
  resourceDocumentation?: string;
  resourceName?: string;
  /**
   * What a 403 `insufficient_scope` asks the client to get. 'required' (default): the scopes the operation needs.
   * 'cumulative': also the scopes the token already holds (those in `scopesSupported`, when set), so a client that
   * re-authorizes with exactly the challenge's `scope` (MCP clients do) keeps what it could already do.
   */
  stepUpScopes?: 'required' | 'cumulative';
  /** This API's own client credentials at the issuer, for opaque tokens (RFC 7662, client_secret_basic). */
  introspection?: { clientId: string; clientSecret: string };
  /**
   * Also introspect JWTs after verifying them locally, so a revoked JWT stops working within
   * `introspectionCacheSeconds` instead of at its `exp` — at the price of a call to the issuer per token
   * per cache period. Needs `introspection`.
   */
  introspectJwts?: boolean;
  /** How long a fetched JWKS is used before it is refreshed. Default 600. */
  jwksCacheSeconds?: number;
  /** Least time between two JWKS refetches caused by unknown `kid`s. Default 30. */
  jwksCooldownSeconds?: number;
  /** How long an introspection answer is reused; never beyond the token's `exp`. Default 30; 0 turns the cache off. */
  introspectionCacheSeconds?: number;
  /** Bound on cached introspection answers (least recently used go first). Default 10 000. */
  introspectionCacheMaxEntries?: number;
  /** Leeway for exp/nbf against clock skew. Default 5 (JWT_LEEWAY_SECONDS, the issuer's own). */
  clockToleranceSeconds?: number;
  /** How long to wait for the issuer (discovery, JWKS, introspection). Default 5. */
  httpTimeoutSeconds?: number;
  fetch?: FetchLike;
  /** Told why each request failed (never the token). pino, Fastify's `app.log`, or anything with warn/info/debug. */
  logger?: ResourceLogger;
  /** The current time in milliseconds since the epoch (default `Date.now`): every expiry and cache decision reads it, so tests can move it. */
  now?: () => number;
  /** DPoP-bound tokens (RFC 9449): how their proofs are judged. Bound tokens are always checked; these tune how. */
  dpop?: DpopOptions;
}

export interface DpopOptions {
  /**
   * The URL clients call this API at (e.g. `https://api.example.com`), for the proofs' htu when a proxy stands in
   * front: the request's path is appended to it. Default: the URL the request arrived at (Host header and scheme).
   */
  publicBaseUrl?: string;
  /** How old a proof may be (its iat). Default 300 (the authorization server's own window). */
  maxAgeSeconds?: number;
  /** Where seen proofs are remembered. Default: in this process (MemoryDpopReplayCache); share one across instances. */
  replayCache?: DpopReplayCache;
  /** Bound of the default replay cache. Default 100 000. */
  replayCacheMaxEntries?: number;
}

export interface TokenVerifier {
  /** Verifies a token, or an Authorization header value (`Bearer …`). */
  verify(tokenOrAuthorization: string | null | undefined, options?: VerifyOptions): Promise<Principal>;
  /**
   * What adapters call: strict about the header (a bare token without `Bearer` or `DPoP` is refused) and the query.
   * A DPoP-bound token needs `Authorization: DPoP …` with the request's `dpop`, `method` and URL.
   */
  verifyRequest(request: BearerRequest, options?: VerifyOptions): Promise<Principal>;
  /** The RFC 6750 answer for an error this verifier threw. */
  challenge(error: ResourceAuthError): RenderedAuthError;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly resource: string;
  /** The RFC 9728 document, and the paths adapters serve it at. */
  readonly metadata: ProtectedResourceMetadata;
  readonly metadataPaths: readonly string[];
  readonly resourceMetadataUrl: string;
}

const DEFAULTS = {
  jwksCacheSeconds: 600,
  jwksCooldownSeconds: 30,
  introspectionCacheSeconds: 30,
  introspectionCacheMaxEntries: 10_000,
  clockToleranceSeconds: JWT_LEEWAY_SECONDS,
  httpTimeoutSeconds: 5,
};

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const config = validate(options);
  const logger = options.logger;
  const http: IssuerHttpOptions = {
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: config.httpTimeoutSeconds * 1000,
  };
  const discovery = new IssuerDiscovery(config.issuer, http);
  // The system clock reads Date.now at each call: a test that mocks Date after this is made still moves the verifier's time.
  const now = options.now ?? systemClock.now;
  const keys = new JwksCache({
    load: () => loadJwks(discovery, http),
    maxAgeSeconds: config.jwksCacheSeconds,
    cooldownSeconds: config.jwksCooldownSeconds,
    logger,
    now,
  });
  const introspector = options.introspection
    ? new Introspector({
        clientId: options.introspection.clientId,
        clientSecret: options.introspection.clientSecret,
        issuer: config.issuer,
        audience: config.audience,
        http,
        cacheSeconds: config.introspectionCacheSeconds,
        cacheMaxEntries: config.introspectionCacheMaxEntries,
        clockToleranceSeconds: config.clockToleranceSeconds,
        now,
      })
    : undefined;

  const dpopOptions = options.dpop ?? {};
  const replayCache = dpopOptions.replayCache ?? new MemoryDpopReplayCache(dpopOptions.replayCacheMaxEntries, now);
  const dpopMaxAge = dpopOptions.maxAgeSeconds ?? DPOP_PROOF_MAX_AGE_SECONDS;

  const resourceMetadataUrl = protectedResourceMetadataUrl(config.resource);
  const challengeContext = { realm: config.realm, resourceMetadataUrl };

  async function introspectionEndpoint(): Promise<string> {
    const metadata = await discovery.get();
    if (metadata.introspectionEndpoint === undefined) {
      throw new IssuerMetadataInvalidError('the issuer metadata names no introspection_endpoint, so opaque tokens cannot be checked');
    }
    return metadata.introspectionEndpoint;
  }

  async function principalFor(token: string): Promise<Principal> {
    const header = jwtHeader(token);
    if (header !== undefined) {
      const principal = await verifyJwtAccessToken(token, {
        issuer: config.issuer,
        audience: config.audience,
        clockToleranceSeconds: config.clockToleranceSeconds,
        keys,
        now,
      });
      if (options.introspectJwts && introspector) await introspector.introspect(token, await introspectionEndpoint());
      return principal;
    }
    if (!introspector) {
      throw new TokenMalformedError('the token is not a JWT, and opaque tokens need introspection, which is not configured', {
        hint: 'give createTokenVerifier an `introspection: { clientId, clientSecret }` to accept opaque tokens',
      });
    }
    return introspector.introspect(token, await introspectionEndpoint());
  }

  /** A DPoP request's proof, checked against the request (before the token: it needs no call to the issuer). */
  async function proofOf(presented: PresentedToken, request: BearerRequest | undefined): Promise<VerifiedDpopProof | undefined> {
    if (presented.scheme !== 'DPoP') return undefined;
    return checkDpopProof({
      proof: request?.dpop,
      method: request?.method ?? 'GET',
      url: publicRequestUrl(request?.url, dpopOptions.publicBaseUrl, request?.host, request?.protocol),
      accessToken: presented.token,
      nowSeconds: Math.floor(now() / 1000),
      maxAgeSeconds: dpopMaxAge,
      replay: replayCache,
    });
  }

  async function run(findToken: () => PresentedToken, verifyOptions: VerifyOptions | undefined, request?: BearerRequest): Promise<Principal> {
    let token: string | undefined;
    let principal: Principal | undefined;
    let presented: PresentedToken | undefined;
    try {
      presented = findToken();
      token = presented.token;
      const proof = await proofOf(presented, request);
      principal = await principalFor(token);
      checkBinding(presented, boundJkt(principal.claims), proof);
      // Recorded only once the token is known to be bound to the proof's key: strangers' proofs fill no cache.
      if (proof) await recordDpopProof(replayCache, proof);
      const granted = principal.scopes;
      const required = verifyOptions?.requiredScopes ?? [];
      const missing = required.filter((scope) => !granted.includes(scope));
      if (missing.length > 0) {
        const error = new InsufficientScopeError(`the token lacks the scope ${missing.join(' ')}`, required, {
          hint: 'the client must ask for the scope when it requests authorization',
        });
        if (options.stepUpScopes === 'cumulative') {
          const kept = granted.filter((scope) => options.scopesSupported === undefined || options.scopesSupported.includes(scope));
          error.challengeScopes = [...new Set([...kept, ...required])];
        }
        throw error;
      }
      return principal;
    } catch (error) {
      if (error instanceof ResourceAuthError) {
        // A 401 names what the operation needs, so the client asks for it when it authorizes (RFC 6750 §3, MCP).
        if (error.status === 401 && verifyOptions?.requiredScopes) error.challengeScopes = [...verifyOptions.requiredScopes];
        if (presented?.scheme === 'DPoP') error.dpop = true;
        logFailure(logger, error, token, principal);
      }
      throw error;
    }
  }

  return {
    verify: (tokenOrAuthorization, verifyOptions) => run(() => ({ token: tokenFromHeaderOrToken(tokenOrAuthorization), scheme: 'Bearer' }), verifyOptions),
    verifyRequest: (request, verifyOptions) => run(() => extractAccessToken(request), verifyOptions, request),
    challenge: (error) => renderAuthError(error, challengeContext),
    issuer: config.issuer,
    audience: config.audience,
    resource: config.resource,
    metadata: protectedResourceMetadata({
      resource: config.resource,
      issuer: config.issuer,
      scopesSupported: options.scopesSupported,
      resourceDocumentation: options.resourceDocumentation,
      resourceName: options.resourceName,
    }),
    metadataPaths: protectedResourceMetadataPaths(config.resource),
    resourceMetadataUrl,
  };
}

/** The thumbprint a token is bound to (RFC 9449 §6: cnf.jkt of the JWT or of the introspection answer), or null. */
function boundJkt(claims: Record<string, unknown>): string | null {
  const cnf = claims.cnf;
  if (cnf === undefined || cnf === null || typeof cnf !== 'object') return null;
  const jkt = (cnf as { jkt?: unknown }).jkt;
  return typeof jkt === 'string' ? jkt : null;
}

/** RFC 9449 §7.1: a bound token only with DPoP and a proof by its key; an unbound one only as Bearer. */
function checkBinding(presented: PresentedToken, bound: string | null, proof: VerifiedDpopProof | undefined): void {
  if (bound === null) {
    if (presented.scheme === 'DPoP') throw new TokenDpopBindingError('the token is not DPoP-bound but was sent with the DPoP scheme', { hint: 'send it as `Authorization: Bearer <token>`' });
    return;
  }
  if (presented.scheme !== 'DPoP' || proof === undefined) {
    throw new TokenDpopBindingError('the token is DPoP-bound (cnf.jkt) but was sent as a bearer token', { hint: 'send `Authorization: DPoP <token>` with a DPoP proof header' });
  }
  if (proof.jkt !== bound) throw new TokenDpopBindingError('the DPoP proof is signed by another key than the one the token is bound to');
}

/** The protected header when the token is a JWS compact serialization, undefined when it is not a JWT. */
function jwtHeader(token: string): ProtectedHeaderParameters | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    const header = decodeProtectedHeader(token);
    return typeof header === 'object' && header !== null && 'alg' in header ? header : undefined;
  } catch {
    return undefined;
  }
}

async function loadJwks(discovery: IssuerDiscovery, http: IssuerHttpOptions): Promise<unknown> {
  const metadata: IssuerMetadata = await discovery.get();
  if (metadata.jwksUri === undefined) {
    throw new IssuerMetadataInvalidError('the issuer metadata names no jwks_uri, so JWTs cannot be verified');
  }
  const { status, body } = await fetchIssuerJson(http, metadata.jwksUri, 'JWKS');
  if (body === undefined) throw unexpectedStatus(metadata.jwksUri, 'JWKS', status);
  return body;
}

function logFailure(logger: ResourceLogger | undefined, error: ResourceAuthError, token: string | undefined, principal: Principal | undefined): void {
  if (!logger) return;
  const fields: Record<string, unknown> = { code: error.code, reason: error.message };
  if (error.hint !== undefined) fields.hint = error.hint;
  // A fingerprint correlates log lines about one token without revealing it.
  if (token !== undefined) fields.tokenSha256 = createHash('sha256').update(token).digest('hex').slice(0, 12);
  if (principal) {
    fields.clientId = principal.clientId;
    fields.subject = principal.subject;
    fields.grantedScopes = principal.scopes.join(' ');
  }
  if (error instanceof InsufficientScopeError) fields.requiredScopes = error.requiredScopes.join(' ');
  const message = `bearer token rejected: ${error.message}`;
  if (error.status >= 500) logger.warn(fields, message);
  else if (error.code === 'ERR_TOKEN_MISSING' && error.hint === undefined) logger.debug(fields, message);
  else logger.info(fields, message);
}

interface ResolvedConfig {
  issuer: string;
  audience: string[];
  resource: string;
  realm: string;
  jwksCacheSeconds: number;
  jwksCooldownSeconds: number;
  introspectionCacheSeconds: number;
  introspectionCacheMaxEntries: number;
  clockToleranceSeconds: number;
  httpTimeoutSeconds: number;
}

function validate(options: TokenVerifierOptions): ResolvedConfig {
  if (typeof options.issuer !== 'string' || !URL.canParse(options.issuer)) {
    throw new TypeError(`createTokenVerifier: issuer must be an absolute URL, got ${JSON.stringify(options.issuer)}`);
  }
  const audience = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (audience.length === 0 || audience.some((aud) => typeof aud !== 'string' || aud === '')) {
    throw new TypeError('createTokenVerifier: audience must name this API (a non-empty string or list of strings)');
  }
  // An audience that is this API's URL doubles as its resource identifier; the issuer's own URL (Gatehouse's
  // default audience) does not, since it would point clients at the issuer for this API's metadata.
  const resource = options.resource ?? audience.find((aud) => /^https?:\/\//i.test(aud) && aud !== options.issuer);
  if (resource === undefined) {
    throw new TypeError(
      'createTokenVerifier: set `resource` to the URL clients call this API at (e.g. "https://api.example.com"); ' +
        'it names the RFC 9728 metadata in every WWW-Authenticate answer',
    );
  }
  assertResourceIdentifier(resource);
  if (options.stepUpScopes !== undefined && options.stepUpScopes !== 'required' && options.stepUpScopes !== 'cumulative') {
    throw new TypeError("createTokenVerifier: stepUpScopes must be 'required' or 'cumulative'");
  }
  if (options.introspectJwts && !options.introspection) {
    throw new TypeError('createTokenVerifier: introspectJwts needs `introspection: { clientId, clientSecret }`');
  }
  if (options.introspection && (!options.introspection.clientId || !options.introspection.clientSecret)) {
    throw new TypeError('createTokenVerifier: introspection needs both clientId and clientSecret');
  }
  const seconds = (name: keyof typeof DEFAULTS): number => {
    const value = options[name] ?? DEFAULTS[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`createTokenVerifier: ${name} must be a number, 0 or more`);
    }
    return value;
  };
  const config: ResolvedConfig = {
    issuer: options.issuer,
    audience,
    resource,
    realm: options.realm ?? resource,
    jwksCacheSeconds: seconds('jwksCacheSeconds'),
    jwksCooldownSeconds: seconds('jwksCooldownSeconds'),
    introspectionCacheSeconds: seconds('introspectionCacheSeconds'),
    introspectionCacheMaxEntries: seconds('introspectionCacheMaxEntries'),
    clockToleranceSeconds: seconds('clockToleranceSeconds'),
    httpTimeoutSeconds: seconds('httpTimeoutSeconds'),
  };
  if (config.httpTimeoutSeconds === 0) throw new TypeError('createTokenVerifier: httpTimeoutSeconds must be more than 0');
  return config;
}
