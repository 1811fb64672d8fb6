// The JWT rules as pure logic: one table of tokens, each broken in one way, each refused with its stable code.
// The same verifyJwt serves introspection, userinfo, revocation, id_token_hint, `tokens inspect` and the SDK.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { JwtRejected, type JwtErrorCode } from '../../src/jwt/errors.js';
import { JWT_LEEWAY_SECONDS, type JwtKind } from '../../src/jwt/rules.js';
import { signJwt } from '../../src/jwt/sign.js';
import { SignatureCache } from '../../src/jwt/signature-cache.js';
import { verifyJwt, type VerifyJwtOptions } from '../../src/jwt/verify.js';

const ISSUER = 'https://auth.test';
const NOW = 1_800_000_000;
const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rs = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** The published key set: kid → alg and public key. */
const published = new Map<string, { alg: string; key: KeyObject }>([
  ['es-1', { alg: 'ES256', key: es.publicKey }],
  ['rs-1', { alg: 'RS256', key: rs.publicKey }],
]);

function options(kind: JwtKind, extra: Partial<VerifyJwtOptions> = {}): VerifyJwtOptions {
  return {
    kind,
    issuer: ISSUER,
    now: NOW,
    key: async (header) => {
      const found = published.get(header.kid as string);
      return found && found.alg === header.alg ? found.key : undefined;
    },
    ...extra,
  };
}

const accessClaims = { iss: ISSUER, sub: 'alice', aud: 'https://api.test', client_id: 'app', scope: 'read', iat: NOW, exp: NOW + 600, jti: 'j-1' };
const idClaims = { iss: ISSUER, sub: 'alice', aud: 'app', iat: NOW, exp: NOW + 600, nonce: 'n' };

/** A token with any header, signed by `key` (jose, so the test does not trust the signer under test). */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject = es.privateKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

function unsigned(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.`;
}

async function rejection(token: string, opts: VerifyJwtOptions): Promise<JwtRejected> {
  try {
    await verifyJwt(token, opts);
  } catch (error) {
    assert.ok(error instanceof JwtRejected, `a JwtRejected, got ${String(error)}`);
    return error;
  }
  assert.fail('the token was accepted');
}

describe('verifyJwt: one set of rules for every JWT Gatehouse issues', () => {
  test('accepts what Gatehouse signs: an at+jwt access token (ES256) and a JWT ID token (RS256)', async () => {
    const access = await signJwt(accessClaims, { kind: 'access_token', key: { kid: 'es-1', privateKey: es.privateKey } });
    assert.equal((await verifyJwt(access, options('access_token', { audience: ['https://api.test'] }))).claims.jti, 'j-1');
    const id = await signJwt(idClaims, { kind: 'id_token', key: { kid: 'rs-1', privateKey: rs.privateKey } });
    assert.equal((await verifyJwt(id, options('id_token', { audience: ['app'] }))).claims.sub, 'alice');
  });

  test('accepts typ application/at+jwt, and exp within the leeway', async () => {
    const token = await forge({ alg: 'ES256', typ: 'application/at+jwt', kid: 'es-1' }, { ...accessClaims, exp: NOW - JWT_LEEWAY_SECONDS + 1 });
    assert.equal((await verifyJwt(token, options('access_token'))).claims.sub, 'alice');
  });

  const cases: Array<[string, () => Promise<string>, JwtErrorCode, Partial<VerifyJwtOptions>?, JwtKind?]> = [
    ['not a JWS at all', async () => 'gha_not-a-jwt', 'ERR_JWT_MALFORMED'],
    ['a header that is not JSON', async () => 'bm90IGpzb24.e30.c2ln', 'ERR_JWT_MALFORMED'],
    ['alg none', async () => unsigned({ alg: 'none', typ: 'at+jwt', kid: 'es-1' }, accessClaims), 'ERR_JWT_ALG_NOT_ALLOWED'],
    ['alg HS256 (the public key as an HMAC secret)', async () => unsigned({ alg: 'HS256', typ: 'at+jwt', kid: 'es-1' }, accessClaims), 'ERR_JWT_ALG_NOT_ALLOWED'],
    ['alg ES384', async () => unsigned({ alg: 'ES384', typ: 'at+jwt', kid: 'es-1' }, accessClaims), 'ERR_JWT_ALG_NOT_ALLOWED'],
    ['an ID token (typ JWT) presented as an access token', () => forge({ alg: 'RS256', typ: 'JWT', kid: 'rs-1' }, idClaims, rs.privateKey), 'ERR_JWT_WRONG_TYPE'],
    ['an access token (typ at+jwt) presented as an ID token', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, accessClaims), 'ERR_JWT_WRONG_TYPE', {}, 'id_token'],
    ['no typ', () => forge({ alg: 'ES256', kid: 'es-1' }, accessClaims), 'ERR_JWT_WRONG_TYPE'],
    ['no kid', () => forge({ alg: 'ES256', typ: 'at+jwt' }, accessClaims), 'ERR_JWT_KID_MISSING'],
    ['a kid no published key has', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'rogue' }, accessClaims), 'ERR_JWT_KEY_NOT_FOUND'],
    ['a kid whose key signs with another alg', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'rs-1' }, accessClaims), 'ERR_JWT_KEY_NOT_FOUND'],
    ['a key of its own under a published kid', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, accessClaims, stranger.privateKey), 'ERR_JWT_INVALID_SIGNATURE'],
    ['another issuer', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, { ...accessClaims, iss: 'https://evil.test' }), 'ERR_JWT_WRONG_ISSUER'],
    ['an access token without jti', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, { ...accessClaims, jti: undefined }), 'ERR_JWT_CLAIM_MISSING'],
    ['an access token without exp', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, { ...accessClaims, exp: undefined }), 'ERR_JWT_CLAIM_MISSING'],
    ['an ID token without sub', () => forge({ alg: 'RS256', typ: 'JWT', kid: 'rs-1' }, { ...idClaims, sub: undefined }, rs.privateKey), 'ERR_JWT_CLAIM_MISSING', {}, 'id_token'],
    ['exp that is not a number', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, { ...accessClaims, exp: 'tomorrow' }), 'ERR_JWT_CLAIM_INVALID'],
    ['another audience', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, accessClaims), 'ERR_JWT_WRONG_AUDIENCE', { audience: ['https://billing.test'] }],
    ['no aud when the caller requires one', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, { ...accessClaims, aud: undefined }), 'ERR_JWT_WRONG_AUDIENCE', { audience: ['https://api.test'] }],
    ['nbf beyond the leeway', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, { ...accessClaims, nbf: NOW + JWT_LEEWAY_SECONDS + 1 }), 'ERR_JWT_NOT_YET_VALID'],
    ['expired beyond the leeway', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, { ...accessClaims, exp: NOW - JWT_LEEWAY_SECONDS }), 'ERR_JWT_EXPIRED'],
  ];
  for (const [what, make, code, extra, kind] of cases) {
    test(`refuses ${what}: ${code}`, async () => {
      const error = await rejection(await make(), options(kind ?? 'access_token', extra));
      assert.equal(error.code, code);
    });
  }

  test('a changed payload fails the signature, even once the original was verified and cached', async () => {
    const cache = new SignatureCache();
    const token = await forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, accessClaims);
    await verifyJwt(token, options('access_token', { cache }));
    const [header, , signature] = token.split('.');
    const changed = `${header}.${Buffer.from(JSON.stringify({ ...accessClaims, sub: 'mallory' })).toString('base64url')}.${signature}`;
    assert.equal((await rejection(changed, options('access_token', { cache }))).code, 'ERR_JWT_INVALID_SIGNATURE');
  });

  test('a cached signature does not skip the clock: the same token expires', async () => {
    const cache = new SignatureCache();
    const token = await forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, accessClaims);
    await verifyJwt(token, options('access_token', { cache }));
    const later = await rejection(token, options('access_token', { cache, now: NOW + 600 + JWT_LEEWAY_SECONDS }));
    assert.equal(later.code, 'ERR_JWT_EXPIRED');
  });

  test('an expired token is refused with its verified claims, since expiry is checked last', async () => {
    const token = await forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, accessClaims);
    const error = await rejection(token, options('access_token', { now: NOW + 3600 }));
    assert.equal(error.code, 'ERR_JWT_EXPIRED');
    assert.equal(error.claims?.jti, 'j-1');
  });

  test('another issuer is refused before any key is looked up', async () => {
    let lookups = 0;
    const token = await forge({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, { ...accessClaims, iss: 'https://evil.test' });
    const error = await rejection(token, options('access_token', { key: async () => { lookups++; return es.publicKey; } }));
    assert.equal(error.code, 'ERR_JWT_WRONG_ISSUER');
    assert.equal(lookups, 0);
  });
});
