// A bounded sign-in flood for the `client_credentials_login_flood` row: a fixed number of wrong-password
// POST /login requests always in flight, each from its own loopback address (127.0.x.y: Linux routes all of
// 127/8 to lo), the way an attacker spreads over many addresses so that no per-address limit
// applies. The CSRF cookie and form field come from one real GET /login (double submit: any address may
// present them).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { USERNAME, type ServerInfo } from './fixtures.js';
import { CookieJar, hiddenFields } from './minting.js';

export interface FloodStats {
  /** Answers received, by status code. */
  statuses: Record<number, number>;
  /** Socket errors. */
  errors: number;
  /** Answers per second over the flood. */
  perSecond: number;
  /** The slowest sign-in answer, in milliseconds (a stalled page would show here). */
  maxMs: number;
}

export interface LoginFlood {
  /** Resolves once every flooder has had its first answer: the flood is running at full size. */
  running: Promise<void>;
  stop(): Promise<FloodStats>;
}

/** 127.0.1.1 … 127.0.255.254, round robin: each address sends a few sign-ins at most per run. */
function* loopbackAddresses(): Generator<string> {
  for (;;) {
    for (let third = 1; third <= 255; third++) {
      for (let fourth = 1; fourth <= 254; fourth++) yield `127.0.${third}.${fourth}`;
    }
  }
}

export async function startLoginFlood(server: ServerInfo, concurrency: number): Promise<LoginFlood> {
  const base = new URL(server.url);
  const jar = new CookieJar();
  const loginUrl = new URL('/login', base);
  const page = await fetch(loginUrl, { redirect: 'manual' });
  jar.update(page);
  const fields = hiddenFields(await page.text());
  if (!fields.csrf) throw new Error('login flood: the sign-in page has no csrf field');
  const body = new URLSearchParams({ ...fields, username: USERNAME, password: 'not-the-bench-password' }).toString();
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
    cookie: jar.header(loginUrl),
    connection: 'close',
  };

  const addresses = loopbackAddresses();
  const stats: FloodStats = { statuses: {}, errors: 0, perSecond: 0, maxMs: 0 };
  let stopping = false;
  const started = Date.now();

  const attempt = (): Promise<void> => new Promise((resolve) => {
    const sent = Date.now();
    const req = httpRequest({
      host: base.hostname, port: base.port, path: '/login', method: 'POST', headers, localAddress: addresses.next().value!, agent: false,
    }, (response: IncomingMessage) => {
      response.resume();
      response.on('end', () => {
        stats.statuses[response.statusCode ?? 0] = (stats.statuses[response.statusCode ?? 0] ?? 0) + 1;
        stats.maxMs = Math.max(stats.maxMs, Date.now() - sent);
        resolve();
      });
      response.on('error', () => { stats.errors++; resolve(); });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => { stats.errors++; resolve(); });
    req.end(body);
  });

  const firstAnswers: Promise<void>[] = [];
  const workers = Array.from({ length: concurrency }, () => {
    let first!: () => void;
    firstAnswers.push(new Promise<void>((resolve) => { first = resolve; }));
    return (async () => {
      while (!stopping) {
        await attempt();
        first();
      }
    })();
  });
  return {
    running: Promise.all(firstAnswers).then(() => undefined),
    async stop() {
      stopping = true;
      await Promise.all(workers);
      const answers = Object.values(stats.statuses).reduce((a, b) => a + b, 0);
      stats.perSecond = answers / ((Date.now() - started) / 1000);
      return stats;
    },
  };
}
