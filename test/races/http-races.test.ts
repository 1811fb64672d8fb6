// Races decided by the database, driven through HTTP with real concurrency: N requests that carry the same
// authorization code or the same refresh token are sent at once (each on its own connection), and the
// outcome is counted exactly — in the HTTP answers and in the rows the database holds afterwards.
//
// On every backend the races run twice: against a server in this process (startTestServer), and against three
// `gatehouse serve` processes over one database with the requests spread across them, so that nothing a single
// process holds in memory can decide the outcome: only the database can.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describeOnBackends } from '../helpers/backends.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/databases.js';
import { CALLBACK, USER, basic, postForm } from '../helpers/fixtures.js';
import { reservePorts, startInstances, stopInstances, withServerLogs, type GatehouseInstance } from '../helpers/processes.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { loadConfig } from '../../src/config.js';
import { sha256Hex } from '../../src/domain/crypto.js';
import { openServices, type Services } from '../../src/services.js';

/** Parallel requests per race. */
const N = 8;

interface Answer {
  /** Which public origin answered. */
  at: string;
  status: number;
  body: Record<string, unknown>;
}

/** Where a race runs: one or more public origins over one database, with services on that database for setup and counting. */
interface RaceTarget {
  origins: string[];
  services: Services;
  agent: TestUserAgent;
  /** Wraps an assertion block so that a failure carries the servers' output (processes only). */
  explain<T>(body: () => Promise<T>): Promise<T>;
}

interface Secrets {
  /** zapier-client: confidential, no reuse grace window (the default). */
  strict: string;
  /** workers: confidential, refreshTokenGrace 30 s. */
  grace: string;
  /** leads-api: the resource server, introspects tokens. */
  resourceServer: string;
}

async function createRaceClients(services: Services): Promise<Secrets> {
  await services.accounts.createUser(USER);
  const base = { redirectUris: [CALLBACK] };
  const strict = await services.clients.create({ ...base, name: 'Zapier', clientId: 'zapier-client', scopes: 'read:leads' });
  const grace = await services.clients.create({ ...base, name: 'Worker pool', clientId: 'workers', scopes: 'read:leads', refreshTokenGrace: 30 });
  const resourceServer = await services.clients.create({ name: 'Leads API', clientId: 'leads-api', grantTypes: ['client_credentials'], scopes: 'read:leads', resourceServerFor: [services.config.defaultAudience] });
  return { strict: strict.clientSecret!, grace: grace.clientSecret!, resourceServer: resourceServer.clientSecret! };
}

/** Rows of `table` whose `column` equals `value`, counted in the database itself (not through the store's API). */
async function countRows(databaseUrl: string, table: 'grants' | 'refresh_tokens', column: 'grant_id' | 'client_id', value: string): Promise<number> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM "${table}" WHERE "${column}" = ?`).get(value) as { n: number }).n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}" WHERE "${column}" = $1`, [value]);
    return Number(result.rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** One POST over a given (kept-alive) agent; the answer's JSON body. */
function post(agent: Agent, url: string, form: Record<string, string>, authorization: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const request = httpRequest(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), authorization },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          reject(new Error(`${url} answered ${response.statusCode} with non-JSON: ${text.slice(0, 300)}`));
        }
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Sends N token requests at once, request i to origin i mod origins. The N connections are opened (and
 * kept alive) first, so that the N requests are written in the same tick and reach the server together
 * instead of trickling in behind N TCP handshakes: each request on its own connection, all in flight at once.
 */
async function raceTokenRequests(origins: string[], form: Record<string, string>, authorization: string): Promise<Answer[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: N });
  try {
    const warm = await Promise.all(
      Array.from({ length: N }, (_, i) => new Promise<number>((resolve, reject) => {
        httpRequest(`${origins[i % origins.length]}/.well-known/openid-configuration`, { agent }, (response) => {
          response.resume().on('end', () => resolve(response.statusCode ?? 0));
        }).on('error', reject).end();
      })),
    );
    assert.deepEqual(warm, Array(N).fill(200), 'warm-up requests answered');
    return await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const at = origins[i % origins.length]!;
        return { at, ...(await post(agent, `${at}/oauth2/token`, form, authorization)) };
      }),
    );
  } finally {
    agent.destroy();
  }
}

function summary(answers: Answer[]): string {
  return answers.map((a) => `${a.at} → ${a.status} ${a.status === 200 ? 'tokens' : JSON.stringify(a.body)}`).join('\n');
}

function registerRaces(title: string, target: () => RaceTarget, secrets: () => Secrets): void {
  const origin = (i: number) => target().origins[i % target().origins.length]!;

  async function authorizationCode(clientId: string): Promise<string> {
    const url = `${origin(0)}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', state: 'race' })}`;
    const callback = await target().agent.authorize(url, USER);
    const code = callback.searchParams.get('code');
    assert.ok(code, `a code came back: ${callback.href}`);
    return code;
  }

  async function redeem(clientId: string, secret: string): Promise<{ access_token: string; refresh_token: string }> {
    const code = await authorizationCode(clientId);
    const response = await postForm(`${origin(0)}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, { authorization: basic(clientId, secret) });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  async function introspect(token: string, at = origin(1)): Promise<boolean> {
    const response = await postForm(`${at}/oauth2/introspect`, { token }, { authorization: basic('leads-api', secrets().resourceServer) });
    assert.equal(response.status, 200);
    return ((await response.json()) as { active: boolean }).active;
  }

  async function refresh(clientId: string, secret: string, refreshToken: string, at = origin(2)): Promise<Answer> {
    const response = await postForm(`${at}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: basic(clientId, secret) });
    return { at, status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  describe(title, () => {
    test(`one authorization code redeemed by ${N} parallel requests: exactly one token response, the rest invalid_grant, and the replay revokes what the code issued`, async () => {
      const { services } = target();
      const { databaseUrl } = services.config;
      const code = await authorizationCode('zapier-client');
      const grantsBefore = await countRows(databaseUrl, 'grants', 'client_id', 'zapier-client');

      const answers = await raceTokenRequests(target().origins, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, basic('zapier-client', secrets().strict));

      await target().explain(async () => {
        const winners = answers.filter((a) => a.status === 200);
        assert.equal(winners.length, 1, `exactly one token response:\n${summary(answers)}`);
        const losers = answers.filter((a) => a.status !== 200);
        assert.equal(losers.length, N - 1);
        for (const loser of losers) {
          assert.equal(loser.status, 400, summary(answers));
          assert.equal(loser.body.error, 'invalid_grant', summary(answers));
        }

        // The database holds exactly one grant for the code, with one refresh token (JWT access tokens have no
        // row): the losers' minted tokens were rolled back with their failed claim of the code.
        const record = (await services.store.getAuthorizationCodeContext(sha256Hex(code)))?.code;
        assert.ok(record?.consumedAt && record.grantId, 'the code is consumed and names its grant');
        assert.equal(await countRows(databaseUrl, 'grants', 'client_id', 'zapier-client'), grantsBefore + 1, 'one grant was created');
        assert.equal(await countRows(databaseUrl, 'refresh_tokens', 'grant_id', record.grantId), 1);

        // What the server guarantees about the winner's tokens (DESIGN.md: "A replayed code fails with
        // invalid_grant and revokes every token it issued"): every losing request is a replay. A loser either
        // read the code after the winner committed (consumed, grant_id set in the same commit) or lost the
        // conditional UPDATE that claims it and then read grant_id after the winner's commit; either way it
        // revokes the winner's grant *before* it answers invalid_grant. So once all N answers are in, the
        // tokens in the single 200 are already revoked: the winner cannot tell it won a race from having its
        // code stolen, and OAuth says to treat both as theft. The 200 is real, but short-lived.
        const tokens = winners[0]!.body as { access_token: string; refresh_token: string };
        const grant = await services.store.getGrant(record.grantId);
        assert.ok(grant && grant.revokedAt !== null, 'the grant the code issued is revoked');
        assert.equal(grant!.revokedReason, 'authorization code replayed');
        assert.equal(await introspect(tokens.access_token), false, "the winner's access token (a JWT) is inactive");
        assert.equal(await introspect(tokens.refresh_token), false, "the winner's refresh token is inactive");
        const again = await refresh('zapier-client', secrets().strict, tokens.refresh_token);
        assert.equal(again.status, 400);
        assert.equal(again.body.error, 'invalid_grant');
      });
    });

    test(`one refresh token presented by ${N} parallel requests, no grace window: one rotation and one retry answered, the rest invalid_grant, and the grant is revoked`, async () => {
      const { services } = target();
      const { databaseUrl } = services.config;
      const tokens = await redeem('zapier-client', secrets().strict);
      const grantId = (await services.store.getRefreshToken(sha256Hex(tokens.refresh_token)))!.grantId;

      const answers = await raceTokenRequests(target().origins, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, basic('zapier-client', secrets().strict));

      await target().explain(async () => {
        const winners = answers.filter((a) => a.status === 200);
        const rotated = new Set(winners.map((a) => a.body.refresh_token));
        assert.equal(rotated.size, winners.length, `each answer its own refresh token:\n${summary(answers)}`);
        // The rotation, then one request taken for the retry of a lost answer (its successor was unused); every
        // other request is a second retry of one rotation, and revokes. Revocations come only after the retry
        // was answered, so there are exactly two 200s.
        assert.equal(winners.length, 2, `one rotation and one retry answered:\n${summary(answers)}`);
        for (const loser of answers.filter((a) => a.status !== 200)) {
          assert.equal(loser.status, 400, summary(answers));
          assert.equal(loser.body.error, 'invalid_grant', summary(answers));
        }
        // The original refresh token, the rotation's successor and the retry's.
        assert.equal(await countRows(databaseUrl, 'refresh_tokens', 'grant_id', grantId), 3, 'the original refresh token and two successors');

        // The other N-1 presented a token that had just been rotated: reuse, which revokes the whole grant.
        const grant = await services.store.getGrant(grantId);
        assert.ok(grant && grant.revokedAt !== null, 'the grant is revoked');
        assert.equal(grant!.revokedReason, 'rotated refresh token reused');
        for (const winner of winners) {
          const successor = winner.body as { access_token: string; refresh_token: string };
          const next = await refresh('zapier-client', secrets().strict, successor.refresh_token);
          assert.equal(next.status, 400, 'the new refresh tokens died with the grant');
          assert.equal(next.body.error, 'invalid_grant');
          assert.equal(await introspect(successor.access_token), false, 'the new access tokens are revoked too');
        }
      });
    });

    test(`one refresh token presented by ${N} parallel requests within a 30 s grace window: all succeed with the same current tokens, and the grant lives on`, async () => {
      const { services } = target();
      const { databaseUrl } = services.config;
      const tokens = await redeem('workers', secrets().grace);
      const grantId = (await services.store.getRefreshToken(sha256Hex(tokens.refresh_token)))!.grantId;

      const answers = await raceTokenRequests(target().origins, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, basic('workers', secrets().grace));

      await target().explain(async () => {
        assert.deepEqual(answers.map((a) => a.status), Array(N).fill(200), `every racer is answered:\n${summary(answers)}`);
        const refreshTokens = new Set(answers.map((a) => a.body.refresh_token));
        const accessTokens = new Set(answers.map((a) => a.body.access_token));
        assert.equal(refreshTokens.size, 1, 'all got the same refresh token');
        assert.equal(accessTokens.size, 1, 'all got the same access token');
        const current = answers[0]!.body as { access_token: string; refresh_token: string };
        assert.notEqual(current.refresh_token, tokens.refresh_token, 'it was rotated');
        assert.equal(await countRows(databaseUrl, 'refresh_tokens', 'grant_id', grantId), 2, 'exactly one rotation');

        const grant = await services.store.getGrant(grantId);
        assert.equal(grant?.revokedAt, null, 'the grant is alive');
        assert.equal(await introspect(current.access_token), true);
        const next = await refresh('workers', secrets().grace, current.refresh_token);
        assert.equal(next.status, 200, `the returned refresh token works once more: ${JSON.stringify(next.body)}`);
        assert.notEqual(next.body.refresh_token, current.refresh_token, 'and rotates as usual');
        assert.equal(await countRows(databaseUrl, 'refresh_tokens', 'grant_id', grantId), 3);
      });
    });
  });
}

// (a)–(c) against one in-process server, on every backend.
await describeOnBackends('HTTP races', (backend) => {
  let server: TestServer;
  let secrets: Secrets;
  let agent: TestUserAgent;

  before(async () => {
    server = await startTestServer({ backend });
    secrets = await createRaceClients(server.services);
    agent = new TestUserAgent(server.issuer);
  });
  after(() => server?.close());

  registerRaces('one server', () => ({ origins: [server.issuer], services: server.services, agent, explain: (body) => body() }), () => secrets);
});

// (d) the same races against three `gatehouse serve` processes on one database, the requests spread across
// them. This is where the database alone decides: within one process the SQLite driver and the JWT signing are
// synchronous, so one process on SQLite never interleaves two token requests (the in-process suite above is
// then a check of the outcome, not a race); separate processes contend on the database's own locks. Three
// processes on one SQLite file is not a recommended deployment (docs/deployment.md: one instance on SQLite),
// but it is the same contention as `gatehouse` commands beside a running server, and must be decided right.
for (const backend of await testBackends()) {
  describe(`HTTP races across three gatehouse processes [${backend}]`, () => {
    let database: TestDatabase;
    let instances: GatehouseInstance[] = [];
    let services: Services;
    let secrets: Secrets;
    let agent: TestUserAgent;

    before(async () => {
      database = await createTestDatabase(backend);
      const ports = await reservePorts(3);
      const env = {
        GATEHOUSE_DATABASE_URL: database.url,
        GATEHOUSE_SECRET: TEST_SECRET,
        // One issuer for all, as behind a load balancer.
        GATEHOUSE_ISSUER: `http://127.0.0.1:${ports[0]!.port}`,
        GATEHOUSE_CLEANUP_INTERVAL: '0',
      };
      instances = await startInstances(ports, env);
      services = await openServices(loadConfig({ ...env, GATEHOUSE_LOG_LEVEL: 'silent', GATEHOUSE_DATABASE_POOL_SIZE: '2' }));
      secrets = await createRaceClients(services);
      agent = new TestUserAgent(instances[0]!.url);
    });
    after(async () => {
      await services?.store.close();
      await stopInstances(instances);
      await database?.drop();
    });

    registerRaces(
      'requests spread over A, B and C',
      () => ({ origins: instances.map((i) => i.url), services, agent, explain: (body) => withServerLogs(instances, body) }),
      () => secrets,
    );
  });
}
