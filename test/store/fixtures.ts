// Records for store tests: valid by default, each with fresh random ids, any field overridable.
import { randomBytes } from 'node:crypto';
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  ChallengeRecord,
  ClientRecord,
  GrantRecord,
  NewTokens,
  RefreshTokenRecord,
  SigningAlg,
  SigningKeyRecord,
  Store,
  UserRecord,
} from '../../src/store/types.js';

export const NOW = 1_700_000_000;

export const id = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`;

export function client(over: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: id('client'),
    name: 'Zapier',
    secretHash: 'a'.repeat(64),
    redirectUris: ['https://app.example/callback', 'http://127.0.0.1:3000/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'read:leads', 'write:leads'],
    tokenEndpointAuthMethod: 'client_secret_basic',
    accessTokenTtl: 3600,
    refreshTokenTtl: 30 * 86400,
    refreshTokenGrace: 0,
    accessTokenFormat: 'jwt',
    resourceServerFor: [],
    tokenExchangeResources: [],
    skipConsent: false,
    jwks: null,
    jwksUri: null,
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    backchannelLogoutSessionRequired: false,
    frontchannelLogoutUri: null,
    frontchannelLogoutSessionRequired: false,
    requirePushedAuthorizationRequests: false,
    dpopBoundAccessTokens: false,
    logoUri: null,
    clientUri: null,
    policyUri: null,
    tosUri: null,
    registration: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

export function user(over: Partial<UserRecord> = {}): UserRecord {
  const userId = id('user');
  return { id: userId, username: userId, passwordHash: '$argon2id$v=19$fake', name: 'Dee Mo', email: 'demo@example.com', createdAt: NOW, external: false, ...over };
}

export function code(clientId: string, userId: string, over: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  return {
    codeHash: id('code'),
    clientId,
    userId,
    redirectUri: 'https://app.example/callback',
    scopes: ['openid', 'read:leads'],
    nonce: 'n-0S6_WzA2Mj',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    authTime: NOW - 5,
    createdAt: NOW,
    expiresAt: NOW + 60,
    consumedAt: null,
    grantId: null,
    granted: null,
    sessionId: null,
    dpopJkt: null,
    ...over,
  };
}

export function grant(clientId: string, userId: string | null, over: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: id('grant'),
    clientId,
    userId,
    scopes: ['openid', 'read:leads'],
    authTime: NOW - 5,
    nonce: 'n-0S6_WzA2Mj',
    createdAt: NOW,
    lastUsedAt: NOW,
    revokedAt: null,
    revokedReason: null,
    granted: null,
    sessionId: null,
    ...over,
  };
}

export function accessToken(g: Pick<GrantRecord, 'id' | 'clientId' | 'userId'> | null, over: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  return {
    id: id('at'),
    grantId: g?.id ?? null,
    clientId: g?.clientId ?? 'missing-client',
    userId: g?.userId ?? null,
    scopes: ['openid', 'read:leads'],
    audience: ['https://api.example'],
    format: 'jwt',
    createdAt: NOW,
    expiresAt: NOW + 3600,
    revokedAt: null,
    dpopJkt: null,
    ...over,
  };
}

export function refreshToken(g: Pick<GrantRecord, 'id' | 'clientId' | 'userId'>, over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    tokenHash: id('rt'),
    grantId: g.id,
    clientId: g.clientId,
    userId: g.userId,
    scopes: ['openid', 'read:leads'],
    createdAt: NOW,
    expiresAt: NOW + 30 * 86400,
    rotatedAt: null,
    replacedBy: null,
    successorSealed: null,
    revokedAt: null,
    retriedAt: null,
    dpopJkt: null,
    ...over,
  };
}

/** Tokens with an access-token row (as for opaque tokens; JWTs need none, which the store allows with null). */
export function tokensFor(g: Pick<GrantRecord, 'id' | 'clientId' | 'userId'>, withRefresh = true): NewTokens & { accessToken: AccessTokenRecord } {
  return { accessToken: accessToken(g), refreshToken: withRefresh ? refreshToken(g) : null };
}

export function signingKey(alg: SigningAlg, over: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: id(alg.toLowerCase()),
    alg,
    publicJwk: JSON.stringify({ kty: alg === 'ES256' ? 'EC' : 'RSA', x: randomBytes(8).toString('base64url') }),
    privateJwkSealed: `v1.${randomBytes(12).toString('base64url')}`,
    createdAt: Math.floor(Date.now() / 1000),
    retiredAt: null,
    expiresAt: null,
    ...over,
  };
}

/** A client and a user, stored. */
export async function seedParties(store: Store, over: { client?: Partial<ClientRecord>; user?: Partial<UserRecord> } = {}) {
  const c = client(over.client);
  const u = user(over.user);
  await store.createClient(c);
  await store.createUser(u);
  return { client: c, user: u };
}

/** A client, a user, and a redeemed code: a live grant with an access and a refresh token. */
export async function seedGrant(store: Store, over: { client?: Partial<ClientRecord>; user?: Partial<UserRecord>; grant?: Partial<GrantRecord> } = {}) {
  const parties = await seedParties(store, over);
  const c = code(parties.client.clientId, parties.user.id);
  await store.saveAuthorizationCode(c);
  const g = grant(parties.client.clientId, parties.user.id, over.grant);
  const tokens = tokensFor(g);
  const result = await store.redeemAuthorizationCode(c.codeHash, NOW, g, tokens);
  if (!result.ok) throw new Error('seedGrant: redemption failed');
  return { ...parties, code: c, grant: g, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken! };
}

export function challenge(clientId: string, over: Partial<ChallengeRecord> = {}): ChallengeRecord {
  return {
    challengeHash: id('challenge'),
    kind: 'login',
    clientId,
    request: { client_id: clientId, response_type: 'code', scope: 'openid read:leads', redirect_uri: 'https://app.example/callback' },
    browserHash: 'b'.repeat(64),
    subject: null,
    skip: false,
    loginSessionId: null,
    login: null,
    outcome: null,
    verifierHash: null,
    createdAt: NOW,
    expiresAt: NOW + 600,
    handledAt: null,
    usedAt: null,
    ...over,
  };
}
