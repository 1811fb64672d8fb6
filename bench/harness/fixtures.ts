// What both servers under test are set up with, and what each child process reports when it is ready.
import { createHash, randomBytes } from 'node:crypto';

/** The scopes every bench client may use; requests ask for SCOPE. */
export const CLIENT_SCOPES = 'read:leads write:leads';
export const SCOPE = 'read:leads';
/** Never contacted: codes are read from the Location header of the redirect. */
export const REDIRECT_URI = 'http://localhost:9/callback';
export const USERNAME = 'bench-user';
export const PASSWORD = 'bench-password-0123456789';
/** The `aud` of access tokens, on both servers. */
export const AUDIENCE = 'https://api.bench.example';

/** One PKCE pair for every minted code: the server still hashes the verifier on each redemption. */
export const CODE_VERIFIER = randomBytes(32).toString('base64url');
export const CODE_CHALLENGE = createHash('sha256').update(CODE_VERIFIER).digest('base64url');

export interface ClientCredentials {
  id: string;
  secret: string;
}

/** Printed by a server child as one JSON line on stdout once it listens. */
export interface ServerInfo {
  ready: true;
  /** Base URL of the public endpoints, e.g. http://127.0.0.1:4444 */
  url: string;
  issuer: string;
  tokenPath: string;
  introspectionPath: string;
  authorizePath: string;
  clients: {
    /** client_credentials, JWT access tokens (Gatehouse default; oidc-provider: ES256 JWT resource server). */
    ccJwt: ClientCredentials;
    /** client_credentials, opaque access tokens. */
    ccOpaque: ClientCredentials;
    /** authorization_code + refresh_token, PKCE, client_secret_basic. */
    web: ClientCredentials;
    /** A resource server that introspects tokens. */
    introspector: ClientCredentials;
  };
}

export function basicAuth(client: ClientCredentials): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
}

export function isServerInfo(value: unknown): value is ServerInfo {
  return typeof value === 'object' && value !== null && (value as { ready?: unknown }).ready === true;
}
