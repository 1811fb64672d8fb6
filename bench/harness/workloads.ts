// What each row sends. A workload prepares one timed run against one server: the autocannon requests,
// the inputs they consume (minted beforehand), how many there are, and how to tell a good answer.
import type autocannon from 'autocannon';
import { CODE_VERIFIER, REDIRECT_URI, SCOPE, basicAuth, type ClientCredentials, type ServerInfo } from './fixtures.js';
import { CookieJar, mintAccessTokens, mintCodes } from './minting.js';
import { runLoad } from './load.js';

export type WorkloadKind = 'cc_jwt' | 'cc_opaque' | 'authorization_code' | 'refresh_token' | 'introspect_jwt' | 'introspect_opaque';

export interface PreparedRun {
  requests: autocannon.Request[];
  /** Pre-minted inputs: the run stops when they are used up, if that comes before the duration. */
  amount?: number;
  check: (body: string) => boolean;
  /** Inputs minted for this run (reported). */
  minted?: number;
  /** Called after the run (e.g. to keep unused inputs for the next one). */
  finish?: () => void;
}

export interface RunPlan {
  durationSeconds: number;
  /** The best throughput of earlier runs of this workload (undefined before the first). */
  expectedRps: number | undefined;
  connections: number;
}

export interface Workload {
  kind: WorkloadKind;
  prepare(plan: RunPlan): Promise<PreparedRun>;
}

const FORM = 'application/x-www-form-urlencoded';
const hasAccessToken = (body: string): boolean => body.includes('"access_token"');
const hasBoth = (body: string): boolean => body.includes('"access_token"') && body.includes('"refresh_token"');
const isActive = (body: string): boolean => body.includes('"active":true');

function tokenRequest(server: ServerInfo, client: ClientCredentials, body: string): autocannon.Request {
  return { method: 'POST', path: server.tokenPath, headers: { authorization: basicAuth(client), 'content-type': FORM }, body };
}

/**
 * How many single-use inputs to mint for a run: the expected count with headroom (the best throughput seen so
 * far × duration × 1.5), within bounds. Before any run (the warm-up) a modest guess: minting is not free.
 */
export function inputsFor(plan: RunPlan, firstGuessRps: number, cap: number): number {
  const rps = plan.expectedRps ?? firstGuessRps;
  return Math.min(cap, Math.ceil(rps * plan.durationSeconds * 1.5) + plan.connections * 2);
}

function clientCredentials(server: ServerInfo, client: ClientCredentials, kind: WorkloadKind): Workload {
  const request = tokenRequest(server, client, `grant_type=client_credentials&scope=${encodeURIComponent(SCOPE)}`);
  return { kind, prepare: async () => ({ requests: [request], check: hasAccessToken }) };
}

function redeemBody(code: string): string {
  return `grant_type=authorization_code&code=${encodeURIComponent(code)}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${CODE_VERIFIER}`;
}

function refreshBody(token: string): string {
  return `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`;
}

function refreshTokenOf(body: string): string | undefined {
  try {
    const token = (JSON.parse(body) as { refresh_token?: unknown }).refresh_token;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

/** A request that takes the next input from `queue` each time it is sent. */
function consuming(base: autocannon.Request, queue: string[], body: (input: string) => string, onResponse?: autocannon.Request['onResponse']): autocannon.Request {
  return {
    ...base,
    // An empty queue sends an input that cannot be valid: counted as an error, never silently skipped.
    setupRequest: (request) => ({ ...request, body: body(queue.shift() ?? 'exhausted') }),
    ...(onResponse ? { onResponse } : {}),
  };
}

export interface CodeSource {
  jar: CookieJar;
  mint(count: number): Promise<string[]>;
}

export function codeSource(server: ServerInfo): CodeSource {
  const jar = new CookieJar();
  return { jar, mint: (count) => mintCodes(server, jar, count) };
}

/** authorization_code redemption: each request redeems one code minted just before the run. */
function authorizationCode(server: ServerInfo, codes: CodeSource, maxInputs: number): Workload {
  const base = tokenRequest(server, server.clients.web, '');
  return {
    kind: 'authorization_code',
    async prepare(plan) {
      const queue = await codes.mint(inputsFor(plan, 300, maxInputs));
      const minted = queue.length;
      return { requests: [consuming(base, queue, redeemBody)], amount: minted, minted, check: hasBoth };
    },
  };
}

/** Refresh tokens to start from: codes minted and redeemed before the timed runs. */
async function seedRefreshTokens(server: ServerInfo, codes: CodeSource, count: number): Promise<string[]> {
  const queue = await codes.mint(count);
  const tokens: string[] = [];
  await runLoad({
    url: server.url,
    connections: 8,
    durationSeconds: 120,
    amount: queue.length,
    requests: [consuming(tokenRequest(server, server.clients.web, ''), queue, redeemBody, (status, body) => {
      const token = status === 200 ? refreshTokenOf(body) : undefined;
      if (token !== undefined) tokens.push(token);
    })],
  });
  if (tokens.length < count) throw new Error(`seeded only ${tokens.length} of ${count} refresh tokens at ${server.url}`);
  return tokens;
}

/**
 * refresh_token rotation: each request presents a refresh token never presented before. With `recycle`
 * (the default) the pool starts with tokens from code exchanges made before the run and each answer's new
 * refresh token joins its end, so the run lasts its duration; without it every token is minted before the
 * run and the run stops when they are used up.
 */
function refreshToken(server: ServerInfo, codes: CodeSource, recycle: boolean, maxInputs: number): Workload {
  const base = tokenRequest(server, server.clients.web, '');
  let pool: string[] = [];
  return {
    kind: 'refresh_token',
    async prepare(plan) {
      // Recycling: top the pool up to 8 tokens per connection whenever it falls under 4 (each run loses the
      // tokens in flight when it stops).
      const want = recycle ? plan.connections * 8 : inputsFor(plan, 300, maxInputs);
      const low = recycle ? plan.connections * 4 : want;
      if (pool.length < low) pool.push(...await seedRefreshTokens(server, codes, want - pool.length));
      const queue = pool;
      pool = [];
      const minted = queue.length;
      const onResponse: autocannon.Request['onResponse'] = (status, body) => {
        const next = status === 200 ? refreshTokenOf(body) : undefined;
        if (next !== undefined) (recycle ? queue : pool).push(next);
      };
      const request = consuming(base, queue, refreshBody, onResponse);
      // Tokens never presented (left in the queue, or answered during the run) stay usable for the next run.
      const finish = (): void => {
        pool.push(...queue);
      };
      return { requests: [request], minted, check: hasBoth, finish, ...(recycle ? {} : { amount: minted }) };
    },
  };
}

/** Introspection of valid access tokens, cycling through a set minted before the runs. */
function introspection(server: ServerInfo, kind: WorkloadKind, client: ClientCredentials): Workload {
  let tokens: string[] | undefined;
  const base: autocannon.Request = { method: 'POST', path: server.introspectionPath, headers: { authorization: basicAuth(server.clients.introspector), 'content-type': FORM } };
  return {
    kind,
    async prepare() {
      tokens ??= await mintAccessTokens(server, client, 500);
      const list = tokens;
      let next = 0;
      const request: autocannon.Request = {
        ...base,
        setupRequest: (req) => ({ ...req, body: `token=${encodeURIComponent(list[next++ % list.length]!)}` }),
      };
      return { requests: [request], check: isActive };
    },
  };
}

export interface WorkloadOptions {
  recycleRefreshTokens: boolean;
  maxInputs: number;
}

/** Every workload a server supports (oidc-provider cannot introspect JWTs: it refuses structured tokens). */
export function workloadsFor(server: ServerInfo, supportsJwtIntrospection: boolean, options: WorkloadOptions): Map<WorkloadKind, Workload> {
  const codes = codeSource(server);
  const list: Workload[] = [
    clientCredentials(server, server.clients.ccJwt, 'cc_jwt'),
    clientCredentials(server, server.clients.ccOpaque, 'cc_opaque'),
    authorizationCode(server, codes, options.maxInputs),
    refreshToken(server, codes, options.recycleRefreshTokens, options.maxInputs),
    introspection(server, 'introspect_opaque', server.clients.ccOpaque),
  ];
  if (supportsJwtIntrospection) list.push(introspection(server, 'introspect_jwt', server.clients.ccJwt));
  return new Map(list.map((workload) => [workload.kind, workload]));
}
