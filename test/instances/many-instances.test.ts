// Three `gatehouse serve` processes over one PostgreSQL database, as behind a load balancer: one issuer (A's
// URL), one secret, GATEHOUSE_KEY_REFRESH=2. One user's story walks across them — sign in at A, consent at B,
// redeem at C, refresh at A, introspect at B, revoke at C — and keys rotated through the CLI reach every
// instance within the documented bound. PostgreSQL only: skipped loudly when it is unreachable outside CI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/databases.js';
import { CALLBACK, USER, basic, postForm } from '../helpers/fixtures.js';
import { gatehouse, reservePorts, startInstances, stopInstances, withServerLogs, type GatehouseInstance } from '../helpers/processes.js';
import { TEST_SECRET } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { s256 } from '../../src/oauth/pkce.js';

const KEY_REFRESH_SECONDS = 2;
/** The documented bound (GATEHOUSE_KEY_REFRESH) plus slack for polling and a loaded machine. */
const KEY_PROPAGATION_LIMIT_MS = (KEY_REFRESH_SECONDS + 2) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  scope: string;
}

const postgres = (await testBackends()).includes('postgres');

describe('many instances on one PostgreSQL [postgres]', { skip: postgres ? false : 'PostgreSQL is unreachable (see the warning above)' }, () => {
  let database: TestDatabase;
  let instances: GatehouseInstance[] = [];
  let env: Record<string, string>;
  let issuer: string;
  let secret: string;
  /** The browser's cookie jar: cookies ignore ports, so one jar serves every instance on 127.0.0.1. */
  const jar = new Map<string, string>();

  const A = (): GatehouseInstance => instances[0]!;
  const B = (): GatehouseInstance => instances[1]!;
  const C = (): GatehouseInstance => instances[2]!;
  const agentAt = (instance: GatehouseInstance): TestUserAgent => {
    const agent = new TestUserAgent(instance.url);
    (agent as { cookies: Map<string, string> }).cookies = jar;
    return agent;
  };
  const auth = () => basic('zapier-client', secret);
  const logs = <T>(body: () => Promise<T>) => withServerLogs(instances, body);

  async function token(instance: GatehouseInstance, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await postForm(`${instance.url}/oauth2/token`, form, { authorization: auth() });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function introspect(instance: GatehouseInstance, value: string): Promise<Record<string, unknown>> {
    const response = await postForm(`${instance.url}/oauth2/introspect`, { token: value }, { authorization: auth() });
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  }

  const kidsOf = (set: JSONWebKeySet): Set<string> => new Set(set.keys.map((key) => key.kid ?? '(no kid)'));

  async function jwks(instance: GatehouseInstance): Promise<JSONWebKeySet> {
    const response = await fetch(`${instance.url}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    return (await response.json()) as JSONWebKeySet;
  }

  function authorizeQuery(state: string, challenge: string): string {
    return new URLSearchParams({
      client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid read:leads',
      state, nonce: `nonce-${state}`, code_challenge: challenge, code_challenge_method: 'S256',
    }).toString();
  }

  before(async () => {
    database = await createTestDatabase('postgres');
    const ports = await reservePorts(3);
    issuer = `http://127.0.0.1:${ports[0]!.port}`;
    env = {
      GATEHOUSE_DATABASE_URL: database.url,
      GATEHOUSE_SECRET: TEST_SECRET,
      GATEHOUSE_ISSUER: issuer,
      GATEHOUSE_KEY_REFRESH: String(KEY_REFRESH_SECONDS),
    };
    // All three start together on an empty database: they migrate it (under the advisory lock) and make the
    // first signing keys (one per algorithm, not one per instance) at the same time.
    instances = await startInstances(ports, env);
  });
  after(async () => {
    await stopInstances(instances);
    await database?.drop();
  });

  test('the instances started together agree: one issuer, one key set', async () => {
    await logs(async () => {
      const discovery = await Promise.all(instances.map(async (i) => (await (await fetch(`${i.url}/.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string }));
      for (const d of discovery) {
        assert.equal(d.issuer, issuer);
        assert.equal(d.token_endpoint, `${issuer}/oauth2/token`);
      }
      const sets = await Promise.all(instances.map(jwks));
      const kids = sets.map((set) => set.keys.map((k) => k.kid).sort());
      assert.equal(kids[0]!.length, 2, `one ES256 and one RS256 key, not one pair per instance: ${kids[0]!.join(', ')}`);
      assert.deepEqual(kids[1], kids[0]);
      assert.deepEqual(kids[2], kids[0]);
    });
  });

  test('a user and a client created through the CLI are usable at every instance at once', async () => {
    const [, created] = await Promise.all([
      gatehouse(['users', 'create', '--username', USER.username, '--password-stdin'], env, `${USER.password}\n`),
      gatehouse([
        'clients', 'create', '--name', 'Zapier', '--client-id', 'zapier-client', '--redirect-uri', CALLBACK,
        '--grant-type', 'authorization_code', '--grant-type', 'refresh_token', '--grant-type', 'client_credentials',
        '--scope', 'openid read:leads', '--json',
      ], env),
    ]);
    const client = JSON.parse(created) as { client_id: string; client_secret: string };
    assert.equal(client.client_id, 'zapier-client');
    secret = client.client_secret;
    await logs(async () => {
      // No waiting: the first request each instance sees for this client must already succeed.
      const answers = await Promise.all(instances.map((i) => token(i, { grant_type: 'client_credentials', scope: 'read:leads' })));
      answers.forEach((answer, n) => assert.equal(answer.status, 200, `${instances[n]!.name}: ${JSON.stringify(answer.body)}`));
    });
  });

  test("one user's story across instances: sign in at A, consent at B, redeem at C, refresh at A, introspect at B, revoke at C", async () => {
    await logs(async () => {
      const verifier = 'story-verifier-'.padEnd(64, 'x');
      const query = authorizeQuery('story', s256(verifier));

      // A: the authorize URL shows the sign-in page; signing in there leads on to A's consent page.
      const atA = agentAt(A());
      const first = await atA.navigate(`/oauth2/authorize?${query}`);
      assert.equal(first.response.status, 200);
      assert.match(first.html, /name="password"/, 'A asks the user to sign in');
      const signedIn = await atA.signIn(first.html, USER.username, USER.password);
      assert.match(signedIn.html, /name="decision"/, 'after signing in at A, A shows the consent page');
      assert.ok(jar.has('gatehouse_session'), 'A set the session cookie');

      // B: the same request at B knows the session (it lives in the database) and shows consent; Allow there.
      const atB = agentAt(B());
      const consentAtB = await atB.navigate(`/oauth2/authorize?${query}`);
      assert.equal(consentAtB.response.status, 200);
      assert.match(consentAtB.html, /name="decision"/, 'B recognises the session made at A');
      assert.match(consentAtB.html, /Zapier/);
      const allowed = await atB.consent(consentAtB.html, 'allow');
      assert.ok(allowed.location, `B redirects back to the client (HTTP ${allowed.response.status})`);
      const callback = new URL(allowed.location);
      assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
      assert.equal(callback.searchParams.get('state'), 'story');
      assert.equal(callback.searchParams.get('iss'), issuer, 'every instance speaks for the one issuer');
      const code = callback.searchParams.get('code')!;

      // C: the code made at B is redeemed at C.
      const redeemed = await token(C(), { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      const tokens = redeemed.body as unknown as Tokens;
      assert.ok(tokens.refresh_token && tokens.id_token);
      assert.equal(tokens.scope, 'openid read:leads');
      for (const instance of instances) {
        const keys = createLocalJWKSet(await jwks(instance));
        const idToken: { payload: Record<string, unknown> } = await jwtVerify(tokens.id_token!, keys, { issuer, audience: 'zapier-client' });
        assert.equal(idToken.payload.nonce, 'nonce-story');
        await jwtVerify(tokens.access_token, keys, { issuer, typ: 'at+jwt' });
      }

      // A: refresh; the token rotates.
      const refreshed = await token(A(), { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      const current = refreshed.body as unknown as Tokens;
      assert.notEqual(current.refresh_token, tokens.refresh_token);

      // B: introspection sees the new tokens as active, and the rotated one as not.
      const access = await introspect(B(), current.access_token);
      assert.equal(access.active, true);
      assert.equal(access.username, USER.username);
      assert.equal(access.iss, issuer);
      assert.equal((await introspect(B(), current.refresh_token)).active, true);
      assert.equal((await introspect(B(), tokens.refresh_token)).active, false, 'the rotated refresh token is spent');

      // C: revoking the refresh token ends the grant; A sees it at once.
      const revoked = await postForm(`${C().url}/oauth2/revoke`, { token: current.refresh_token, token_type_hint: 'refresh_token' }, { authorization: auth() });
      assert.equal(revoked.status, 200);
      assert.equal((await introspect(A(), current.refresh_token)).active, false, 'A: the refresh token revoked at C is inactive');
      assert.equal((await introspect(A(), current.access_token)).active, false, "A: the grant's access token went with it");
      const afterRevoke = await token(A(), { grant_type: 'refresh_token', refresh_token: current.refresh_token });
      assert.equal(afterRevoke.status, 400);
      assert.equal(afterRevoke.body.error, 'invalid_grant');
    });
  });

  test(`keys rotated through the CLI are served by every instance within GATEHOUSE_KEY_REFRESH (${KEY_REFRESH_SECONDS} s) + 2 s, and sign what comes next everywhere`, async (t) => {
    const previousKids = kidsOf(await jwks(A()));
    // Each instance is asked for its JWKS every 100 ms from before the rotation until it serves the new keys.
    // That keeps every instance's cached key set young when the rotation commits, so the new keys have to
    // come through the timed refresh (GATEHOUSE_KEY_REFRESH), not through a cache that happened to be stale.
    const sightings = instances.map(() => [] as Array<{ at: number; kids: Set<string> }>);
    let newKids: string[] | undefined;
    let stopAt = Number.POSITIVE_INFINITY;
    const servesNew = (kids: Set<string>) => newKids !== undefined && newKids.every((kid) => kids.has(kid));
    const pollers = instances.map(async (instance, n) => {
      while (Date.now() < stopAt) {
        const kids = kidsOf(await jwks(instance));
        sightings[n]!.push({ at: Date.now(), kids });
        if (servesNew(kids)) return;
        await sleep(100);
      }
    }).map((poller) => poller.then(() => undefined, (error: unknown) => error));

    let output: string;
    try {
      output = await gatehouse(['keys', 'rotate', '--json'], env);
    } catch (error) {
      stopAt = 0;
      await Promise.all(pollers);
      throw error;
    }
    // The rotation is committed before the command exits: the clock starts no earlier than the commit, so the
    // delays measured from here are, if anything, short by the time the command took to close its pool and exit.
    const rotatedAt = Date.now();
    stopAt = rotatedAt + KEY_PROPAGATION_LIMIT_MS + 500;
    const rotated = (JSON.parse(output) as { rotated: Array<{ kid: string; alg: string; created_at: string }> }).rotated;
    assert.deepEqual(rotated.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    newKids = rotated.map((k) => k.kid);
    const newKid = (alg: string) => rotated.find((k) => k.alg === alg)!.kid;
    for (const kid of newKids) assert.ok(!previousKids.has(kid));
    const failures = (await Promise.all(pollers)).filter((error) => error !== undefined);
    if (failures.length > 0) throw failures[0];

    await logs(async () => {
      const delays = instances.map((instance, n) => {
        const first = sightings[n]!.find((sighting) => servesNew(sighting.kids));
        const last = sightings[n]!.at(-1)!;
        assert.ok(first, `${instance.name} did not serve the new keys ${newKids!.join(', ')} within ${KEY_PROPAGATION_LIMIT_MS} ms; it serves ${[...last.kids].join(', ')}`);
        for (const old of previousKids) assert.ok(first.kids.has(old), `${instance.name} still publishes the retired key ${old}`);
        return Math.max(0, first.at - rotatedAt);
      });
      t.diagnostic(`new keys served after ${instances.map((i, n) => `${i.name} ${delays[n]} ms`).join(', ')} (limit ${KEY_PROPAGATION_LIMIT_MS} ms; JWKS polled every 100 ms throughout)`);
      delays.forEach((delay, n) => assert.ok(delay <= KEY_PROPAGATION_LIMIT_MS, `${instances[n]!.name} took ${delay} ms`));

      const keySets = await Promise.all(instances.map(async (instance) => createLocalJWKSet(await jwks(instance))));

      // A new key signs only once it is GATEHOUSE_KEY_REFRESH old (published first, used later), and each
      // instance notices within one more refresh: after that, tokens issued at each instance carry the new
      // ES256 kid and verify against every instance's JWKS.
      // These are other processes on the real clock, so this waits in real time, but only until the moment the
      // rule names: a key signs from created_at (whole seconds) + GATEHOUSE_KEY_REFRESH, and a key set read before
      // the rotation is read again within GATEHOUSE_KEY_REFRESH of it. Then each instance is asked until it signs
      // with the new key, within two more refresh periods.
      const signsFrom = Math.max(...rotated.map((k) => Math.floor(Date.parse(k.created_at) / 1000) * 1000), rotatedAt) + KEY_REFRESH_SECONDS * 1000;
      await sleep(Math.max(0, signsFrom - Date.now()) + 300);
      const signDeadline = Date.now() + 2 * KEY_REFRESH_SECONDS * 1000 + 300;
      for (const instance of instances) {
        let answer = await token(instance, { grant_type: 'client_credentials', scope: 'read:leads' });
        while (answer.status === 200 && decodeProtectedHeader(answer.body.access_token as string).kid !== newKid('ES256') && Date.now() < signDeadline) {
          await sleep(100);
          answer = await token(instance, { grant_type: 'client_credentials', scope: 'read:leads' });
        }
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const accessToken = answer.body.access_token as string;
        assert.equal(decodeProtectedHeader(accessToken).kid, newKid('ES256'), `${instance.name} signs with the new ES256 key`);
        for (const keys of keySets) await jwtVerify(accessToken, keys, { issuer, typ: 'at+jwt' });
      }

      // And an id_token: the user is still signed in and has consented, so authorize at C answers with a code
      // straight away; redeemed at B, its id_token carries the new RS256 kid.
      const verifier = 'keys-verifier-'.padEnd(64, 'y');
      const step = await agentAt(C()).navigate(`/oauth2/authorize?${authorizeQuery('keys', s256(verifier))}`);
      assert.ok(step.location, `C redirects with a code at once (HTTP ${step.response.status}): ${step.html.slice(0, 200)}`);
      const code = new URL(step.location).searchParams.get('code')!;
      const redeemed = await token(B(), { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      const tokens = redeemed.body as unknown as Tokens;
      assert.equal(decodeProtectedHeader(tokens.id_token!).kid, newKid('RS256'), 'B signs id_tokens with the new RS256 key');
      assert.equal(decodeProtectedHeader(tokens.access_token).kid, newKid('ES256'));
      for (const keys of keySets) {
        await jwtVerify(tokens.id_token!, keys, { issuer, audience: 'zapier-client' });
        await jwtVerify(tokens.access_token, keys, { issuer, typ: 'at+jwt' });
      }
    });
  });
});
