// The shapes the resource SDK shares between its core and its adapters.

/** Who is calling, as established by a verified access token. */
export interface Principal {
  /** `sub`: the user the token acts for (or the client itself, for client_credentials). */
  subject: string | null;
  /** `client_id`: the application holding the token. */
  clientId: string | null;
  /** The granted scopes (the token's space-separated `scope`). */
  scopes: string[];
  /** `aud`, always as a list. */
  audience: string[];
  expiresAt: Date | null;
  /**
   * RFC 8693 `act`: who acts for the subject when the token came from a token exchange (`{ sub, act? }`, each earlier
   * actor nested under `act`); null for a token the subject's own client holds.
   */
  act: Actor | null;
  /** 'jwt': verified locally against the issuer's JWKS; 'opaque': answered by introspection. */
  tokenType: 'jwt' | 'opaque';
  /** Every claim: the JWT payload, or the introspection response. */
  claims: Record<string, unknown>;
}

/** An acting party (RFC 8693 §4.1), and the one that acted before it. */
export interface Actor {
  sub: string;
  act?: Actor;
}

/** pino-like: `logger.info({ code, reason }, 'message')`. Fastify's `app.log` and pino fit; so does `console`. */
export interface ResourceLogger {
  warn(object: Record<string, unknown>, message?: string): void;
  info(object: Record<string, unknown>, message?: string): void;
  debug(object: Record<string, unknown>, message?: string): void;
}

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface VerifyOptions {
  /** Every one of these must be granted (AND). */
  requiredScopes?: readonly string[];
}

/** What adapters hand the core: the raw Authorization header(s) and the request URL (for `?access_token=`). */
export interface BearerRequest {
  authorization: string | readonly string[] | null | undefined;
  /** The request target, absolute or origin-form (`/api/leads?x=1`). */
  url?: string | undefined;
  /** The HTTP method (a DPoP proof's htm). */
  method?: string | undefined;
  /** The DPoP header(s) (RFC 9449 §4.1). */
  dpop?: string | readonly string[] | null | undefined;
  /** The Host the request came to, and its scheme: the proof's htu when `url` is origin-form and no publicBaseUrl is set. */
  host?: string | undefined;
  protocol?: string | undefined;
}
