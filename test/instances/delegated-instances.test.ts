// Delegated sign-in across three `gatehouse serve` processes on one PostgreSQL, as behind a load balancer: a
// challenge made at one instance is answered through another's admin API and completed at a third, because
// challenges live in the database. The login/consent app is written with Hydra's SDK (test/helpers/login-app.ts).
// PostgreSQL only: skipped loudly when it is unreachable outside CI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/databases.js';
import { CALLBACK, basic, postForm } from '../helpers/fixtures.js';
import { gatehouse, reservePorts, startInstances, stopInstances, withServerLogs, type GatehouseInstance } from '../helpers/processes.js';
import { TEST_SECRET } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { LoginApp, PLATFORM_SUBJECT } from '../helpers/login-app.js';
import { s256 } from '../../src/oauth/pkce.js';

const postgres = (await testBackends()).includes('postgres');

describe('delegated sign-in across instances on one PostgreSQL [postgres]', { skip: postgres ? false : 'PostgreSQL is unreachable (see the warning above)' }, () => {
  let database: TestDatabase;
  let instances: GatehouseInstance[] = [];
  const app = new LoginApp();
  let env: Record<string, string>;
  let secret: string;
  /** One browser: cookies ignore ports, so one jar serves every instance on 127.0.0.1. */
  const jar = new Map<string, string>();
  const agentAt = (instance: GatehouseInstance): TestUserAgent => {
    const agent = new TestUserAgent(instance.url);
    (agent as { cookies: Map<string, string> }).cookies = jar;
    return agent;
  };

  before(async () => {
    await app.start();
    database = await createTestDatabase('postgres');
    const ports = await reservePorts(3);
    env = {
      GATEHOUSE_DATABASE_URL: database.url,
      GATEHOUSE_SECRET: TEST_SECRET,
      GATEHOUSE_ISSUER: `http://127.0.0.1:${ports[0]!.port}`,
      ...app.env(),
    };
    instances = await startInstances(ports, env);
    const created = await gatehouse(['clients', 'create', '--name', 'Zapier', '--client-id', 'zapier-client', '--redirect-uri', CALLBACK, '--scope', 'openid read:leads', '--json'], env);
    secret = (JSON.parse(created) as { client_secret: string }).client_secret;
  });
  after(async () => {
    await stopInstances(instances);
    await database?.drop();
    await app.close();
  });

  test('login challenge made at A, answered through B, completed at C; consent made at C, answered through A, completed at B', async () => {
    const [A, B, C] = instances as [GatehouseInstance, GatehouseInstance, GatehouseInstance];
    await withServerLogs(instances, async () => {
      const verifier = 'delegated-verifier-'.padEnd(64, 'x');
      const query = new URLSearchParams({
        client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid read:leads',
        state: 'across', nonce: 'n-across', code_challenge: s256(verifier), code_challenge_method: 'S256',
      });
      // A hands the request to the platform's login page.
      const atA = await agentAt(A).navigate(`/oauth2/auth?${query}`);
      const loginPage = new URL(atA.location!);
      assert.equal(loginPage.origin, app.url);
      // The app answers through B's admin API: the challenge A made is in the database.
      app.adminUrl = B.adminUrl;
      const answered = await fetch(loginPage, { redirect: 'manual' });
      assert.equal(answered.status, 302, await answered.text());
      // The browser comes back to C (the verifier is C's to check), which hands consent to the platform.
      const verifierUrl = new URL(answered.headers.get('location')!);
      const atC = await agentAt(C).navigate(`${verifierUrl.pathname}${verifierUrl.search}`);
      const consentPage = new URL(atC.location!);
      assert.equal(consentPage.pathname, '/consent');
      app.adminUrl = A.adminUrl;
      const consented = await fetch(consentPage, { redirect: 'manual' });
      assert.equal(consented.status, 302, await consented.text());
      const back = new URL(consented.headers.get('location')!);
      const atB = await agentAt(B).navigate(`${back.pathname}${back.search}`);
      const callback = new URL(atB.location!);
      assert.equal(callback.searchParams.get('state'), 'across');
      const code = callback.searchParams.get('code')!;

      const response = await postForm(`${C.url}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }, { authorization: basic('zapier-client', secret) });
      const tokens = await response.json() as { id_token: string };
      assert.equal(response.status, 200, JSON.stringify(tokens));
      const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.sub, PLATFORM_SUBJECT);
      assert.equal(claims.email, 'dana@platform.example');

      // The same verifier again, at any instance: used once.
      const replay = await agentAt(A).navigate(`${back.pathname}${back.search}`);
      assert.equal(replay.response.status, 400);
      assert.match(replay.html, /already completed/);
    });
  });
});
