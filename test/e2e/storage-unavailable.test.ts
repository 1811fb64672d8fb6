// A database that refuses writes (read-only SQLite, a read-only or restarted PostgreSQL) makes the OAuth endpoints
// and pages answer 503 temporarily_unavailable with Retry-After: a condition to retry, not a server bug (500).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sql } from 'kysely';
import { describeOnBackends } from '../helpers/backends.js';
import { POSTGRES_ADMIN_URL } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CALLBACK, USER, basic, createClient, createUser, postForm } from '../helpers/fixtures.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { isStorageUnavailable } from '../../src/store/errors.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { s256 } from '../../src/oauth/pkce.js';

/** Makes the server's database refuse writes, the way a read-only disk or database would. */
async function makeReadOnly(server: TestServer): Promise<void> {
  const url = server.config.databaseUrl;
  if (url.startsWith('sqlite:')) {
    // The server's own connection: writes now fail with SQLITE_READONLY, as on a read-only file system.
    await sql`PRAGMA query_only = ON`.execute((server.services.store as SqlStore).db);
    return;
  }
  const database = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${database}" SET default_transaction_read_only = on`);
    // Every connection the server holds is ended; the ones it opens next are read-only.
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  } finally {
    await admin.end();
  }
}

await describeOnBackends('storage unavailable', (backend) => {
  let server: TestServer;
  let secret: string;
  let accessToken: string;
  let signedIn: TestUserAgent;
  let signingIn: TestUserAgent;
  let loginPage: string;
  let authorizeUrl: string;
  let refreshToken: string;
  let unusedCode: string;
  let userAccessToken: string;
  const verifier = 'v'.repeat(43);

  before(async () => {
    server = await startTestServer({ backend });
    await createUser(server);
    secret = (await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads', grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] })).clientSecret!;
    const token = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('zapier-client', secret) });
    accessToken = (await token.json() as { access_token: string }).access_token;
    // One user has consented already (the next authorization issues a code at once), another is about to sign in.
    authorizeUrl = `/oauth2/authorize?${new URLSearchParams({
      client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid read:leads', state: 's',
      code_challenge: s256(verifier), code_challenge_method: 'S256',
    })}`;
    signedIn = new TestUserAgent(server.issuer);
    const exchange = (code: string) => postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }, { authorization: basic('zapier-client', secret) });
    const first = await exchange((await signedIn.authorize(authorizeUrl, USER)).searchParams.get('code')!);
    ({ refresh_token: refreshToken, access_token: userAccessToken } = await first.json() as { refresh_token: string; access_token: string });
    unusedCode = (await signedIn.authorize(authorizeUrl, USER)).searchParams.get('code')!;
    signingIn = new TestUserAgent(server.issuer);
    loginPage = (await signingIn.navigate('/login')).html;
    await makeReadOnly(server);
  });
  after(() => server.close());

  async function assertUnavailableJson(response: Response) {
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '5');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = await response.json() as { error: string; error_description: string };
    assert.equal(body.error, 'temporarily_unavailable');
    assert.match(body.error_description, /database/);
  }

  test('the token endpoint answers 503 temporarily_unavailable with Retry-After', async () => {
    const token = (form: Record<string, string>) => postForm(`${server.issuer}/oauth2/token`, form, { authorization: basic('zapier-client', secret) });
    // More than once: on PostgreSQL the first query may meet a terminated connection, the next a read-only one.
    for (let attempt = 0; attempt < 2; attempt++) {
      await assertUnavailableJson(await token({ grant_type: 'refresh_token', refresh_token: refreshToken }));
      await assertUnavailableJson(await token({ grant_type: 'authorization_code', code: unusedCode, redirect_uri: CALLBACK, code_verifier: verifier }));
    }
  });

  test('revocation answers 503 temporarily_unavailable with Retry-After', async () => {
    await assertUnavailableJson(await postForm(`${server.issuer}/oauth2/revoke`, { token: accessToken }, { authorization: basic('zapier-client', secret) }));
  });

  test('signing in and authorizing answer a 503 page with Retry-After and the security headers', async () => {
    const login = await signingIn.signIn(loginPage, USER.username, USER.password);
    assert.equal(login.response.status, 503);
    assert.equal(login.response.headers.get('retry-after'), '5');
    assert.equal(login.response.headers.get('x-frame-options'), 'DENY');
    assert.match(login.html, /temporarily unavailable/);
    const authorize = await signedIn.navigate(authorizeUrl);
    assert.equal(authorize.response.status, 503);
    assert.equal(authorize.response.headers.get('retry-after'), '5');
    assert.match(authorize.html, /temporarily unavailable/);
  });

  test('userinfo answers 503 temporarily_unavailable with Retry-After when reading the user fails', async () => {
    // Reads still work on a read-only database, so this one read is made to fail as a dying disk or a
    // restarted PostgreSQL would fail it.
    const store = server.services.store;
    const original = store.getUserById;
    store.getUserById = () => Promise.reject(Object.assign(new Error('disk I/O error'), { code: backend === 'sqlite' ? 'SQLITE_IOERR_READ' : '57P01' }));
    try {
      const response = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${userAccessToken}` } });
      await assertUnavailableJson(response);
    } finally {
      store.getUserById = original;
    }
  });

  test('the JWKS answers 503 temporarily_unavailable in JSON, as the token endpoint does, when reading keys fails', async () => {
    const keys = server.services.keys;
    const original = keys.jwks;
    keys.jwks = () => Promise.reject(Object.assign(new Error('disk I/O error'), { code: backend === 'sqlite' ? 'SQLITE_IOERR_READ' : '57P01' }));
    try {
      const response = await fetch(`${server.issuer}/.well-known/jwks.json`);
      assert.equal(response.headers.get('access-control-allow-origin'), '*', 'a browser may read why');
      await assertUnavailableJson(response);
    } finally {
      keys.jwks = original;
    }
  });

  test('reads still work: discovery and introspection answer', async () => {
    assert.equal((await fetch(`${server.issuer}/.well-known/openid-configuration`)).status, 200);
    const introspection = await postForm(`${server.issuer}/oauth2/introspect`, { token: accessToken }, { authorization: basic('zapier-client', secret) });
    assert.equal(introspection.status, 200);
  });
});

test('storage failures are told apart from bugs and bad input in one place', () => {
  const unavailable = [
    { code: 'SQLITE_READONLY' }, { code: 'SQLITE_READONLY_DBMOVED' }, { code: 'SQLITE_FULL' }, { code: 'SQLITE_IOERR_FSYNC' },
    { code: 'SQLITE_BUSY' }, { code: 'SQLITE_CANTOPEN' }, { code: '25006' }, { code: '57P01' }, { code: '53100' }, { code: '53300' },
    { code: '08006' }, { code: '58030' }, { code: 'ECONNREFUSED' }, { code: 'ENOSPC' }, { code: 'EROFS' },
    new Error('Connection terminated unexpectedly'), new Error('wrapped', { cause: { code: 'SQLITE_FULL' } }),
  ];
  for (const error of unavailable) assert.equal(isStorageUnavailable(error), true, JSON.stringify(error) + String(error));
  const other = [
    { code: 'SQLITE_CONSTRAINT_UNIQUE' }, { code: '23505' }, { code: '42P01' }, { code: 'SQLITE_ERROR' }, { code: '22P02' },
    new TypeError('x is undefined'), undefined, null, 'SQLITE_FULL',
  ];
  for (const error of other) assert.equal(isStorageUnavailable(error), false, JSON.stringify(error) + String(error));
});
