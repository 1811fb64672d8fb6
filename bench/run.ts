// npm run bench: Gatehouse (SQLite, and PostgreSQL when reachable) beside oidc-provider, each in its own
// process on loopback, driven in turn by autocannon (warm-up, then A B A B … rounds, medians), plus the
// resource SDK in this process. Prints one table and writes it to a new file under bench/results/, or to
// bench/RESULTS.md (the results the docs quote) with --update-results.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseBenchArgs, USAGE, type BenchArgs } from './harness/args.js';
import { runLoad, failures, type LoadResult } from './harness/load.js';
import { mintAccessTokens } from './harness/minting.js';
import { createScratchDatabase, postgresReachable, type ScratchDatabase } from './harness/postgres.js';
import { Measurements, renderMarkdown, renderRuns, renderText, summarize, ratioOf, type TableRow, type TargetName } from './harness/report.js';
import { GROUPS, type RowDef } from './harness/rows.js';
import { benchVerify, makeVerifiers } from './harness/sdk.js';
import { BENCH_DIR, ROOT_DIR, startGatehouse, startReference, type Server } from './harness/servers.js';
import { workloadsFor, type Workload, type WorkloadKind } from './harness/workloads.js';
import { startLoginFlood, type FloodStats } from './harness/login-flood.js';
import { fmtFlood, floodRowOf, renderFloodTable, type FloodRow } from './harness/flood-report.js';

interface Target {
  name: TargetName;
  server: Server;
  workloads: Map<WorkloadKind, Workload>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (r: LoadResult): string =>
  `${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${failures(r)} errors` +
  `${r.stoppedAtCount ? '  (stopped at count)' : ''}${r.serverCpuMsPerRequest !== undefined ? `  cpu ${r.serverCpuMsPerRequest.toFixed(3)} ms/req` : ''}`;

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

// Ctrl-C once: finish the current run, then stop the servers, drop the scratch database, write what was measured.
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error('\nstopping after the current run (Ctrl-C again to quit at once)');
});

const t0 = Date.now();
const log = (line: string): void => console.log(`${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s ${line}`);

async function main(): Promise<void> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const args: BenchArgs = parsed;
  const startedAt = Date.now();
  const deadline = startedAt + args.timeLimitSeconds * 1000;
  // A last resort: whatever happens, the bench ends.
  setTimeout(() => {
    console.error(`bench: still running ${args.timeLimitSeconds + 90}s after start; giving up`);
    process.exit(2);
  }, (args.timeLimitSeconds + 90) * 1000).unref();

  const logDir = join(BENCH_DIR, 'logs');
  mkdirSync(logDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  // The login-flood row compares Gatehouse with itself, so it needs no oidc-provider runs.
  const httpRows = args.rows.filter((row) => row.http && row.loginFlood === undefined);
  const floodRow = args.rows.find((row) => row.loginFlood !== undefined);
  const floodStats = new Map<TargetName, FloodStats[]>();
  const needs = (target: TargetName, kind: WorkloadKind): boolean =>
    httpRows.some((row) => (target === 'oidc-provider' ? row.reference : row.gatehouse) === kind);

  const targets: Target[] = [];
  let scratch: ScratchDatabase | undefined;
  const measurements = new Measurements();
  let aborted = false;
  let prepareMs = 0;
  try {
    let usePostgres = false;
    if (args.postgres !== 'off' && (httpRows.length > 0 || floodRow)) {
      usePostgres = await postgresReachable(args.postgresUrl);
      if (!usePostgres && args.postgres === 'on') throw new Error(`PostgreSQL does not answer at ${args.postgresUrl}`);
      if (!usePostgres) console.log(`PostgreSQL not reachable at ${args.postgresUrl}: SQLite rows only`);
    }

    log('starting servers…');
    if (usePostgres) scratch = await createScratchDatabase(args.postgresUrl);
    const pgUrl = scratch?.url;
    // Started side by side; each is pushed as soon as it is up, so that a failure still stops the others.
    const starting: Promise<void>[] = [
      startGatehouse({ databaseUrl: `sqlite:${join(dataDir, 'gatehouse.db')}`, logFile: join(logDir, 'gatehouse-sqlite.log') })
        .then((server) => void targets.push({ name: 'gatehouse', server, workloads: new Map() })),
    ];
    if (httpRows.length > 0) {
      starting.push(startReference({ logFile: join(logDir, 'oidc-provider.log') })
        .then((server) => void targets.push({ name: 'oidc-provider', server, workloads: new Map() })));
    }
    if (pgUrl !== undefined) {
      starting.push(startGatehouse({ databaseUrl: pgUrl, logFile: join(logDir, 'gatehouse-postgres.log'), name: 'gatehouse-pg' })
        .then((server) => void targets.push({ name: 'gatehouse-pg', server, workloads: new Map() })));
    }
    const started = await Promise.allSettled(starting);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    const order: TargetName[] = ['gatehouse', 'oidc-provider', 'gatehouse-pg'];
    targets.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    const gatehouse = targets[0]!.server;
    for (const target of targets) {
      target.workloads = workloadsFor(target.server.info, target.name !== 'oidc-provider', {
        recycleRefreshTokens: args.recycleRefreshTokens,
        maxInputs: args.maxInputs,
      });
      log(`  ${target.name.padEnd(13)} pid ${target.server.pid}  ${target.server.info.url}`);
    }

    const scenarioCount = GROUPS.flat().reduce((n, kind) => n + targets.filter((t) => needs(t.name, kind)).length, 0);
    const perScenario = args.warmupSeconds + args.rounds * (args.durationSeconds + args.pauseMs / 1000);
    console.log(`${scenarioCount} HTTP workloads × (${args.warmupSeconds}s warm-up + ${args.rounds} × ${args.durationSeconds}s): about ${
      Math.round(scenarioCount * perScenario)}s of load, plus minting; stops starting runs after ${args.timeLimitSeconds}s`);

    const timeLeft = (): boolean => {
      if (Date.now() + args.durationSeconds * 1000 > deadline || interrupted) aborted = true;
      return !aborted;
    };

    // The in-process row first: it is short, and the time limit then never cuts it.
    if (args.rows.some((row) => row.id === 'resource_sdk_verify') && timeLeft()) {
      const tokens = await mintAccessTokens(gatehouse.info, gatehouse.info.clients.ccJwt, 1000);
      const verifiers = await makeVerifiers(gatehouse.info);
      await benchVerify(verifiers.sdk, tokens, Math.min(1, args.warmupSeconds || 0.2));
      await benchVerify(verifiers.jose, tokens, Math.min(1, args.warmupSeconds || 0.2));
      for (let round = 1; round <= args.rounds && timeLeft(); round++) {
        for (const [name, verify] of [['sdk', verifiers.sdk], ['jose', verifiers.jose]] as const) {
          const result = await benchVerify(verify, tokens, args.durationSeconds);
          measurements.add(name, 'verify', result);
          log(`  round ${round}  ${`${name}:verify`.padEnd(32)} ${fmt(result)}`);
        }
      }
    }

    type Scenario = { target: Target; kind: WorkloadKind };
    const key = (s: Scenario): string => `${s.target.name}:${s.kind}`;
    const expected = new Map<string, number>();
    /**
     * One pass over a group: every workload's inputs are minted first (side by side: minting is untimed, and
     * one server's disk waits overlap another's work), then the workloads run one after another.
     */
    const pass = async (scenarios: Scenario[], seconds: number, label: string, record: boolean): Promise<void> => {
      const preparing = Date.now();
      const prepared = await Promise.all(scenarios.map((s) => {
        const workload = s.target.workloads.get(s.kind);
        if (!workload) throw new Error(`${s.target.name} has no workload ${s.kind}`);
        return workload.prepare({ durationSeconds: seconds, expectedRps: expected.get(key(s)), connections: args.connections });
      }));
      prepareMs += Date.now() - preparing;
      for (const [i, s] of scenarios.entries()) {
        const inputs = prepared[i]!;
        if (!timeLeft()) {
          inputs.finish?.();
          continue;
        }
        await sleep(args.pauseMs);
        const result = await runLoad({
          url: s.target.server.info.url,
          requests: inputs.requests,
          connections: args.connections,
          durationSeconds: seconds,
          check: inputs.check,
          serverCpuSeconds: () => s.target.server.cpuSeconds(),
          ...(inputs.amount !== undefined ? { amount: inputs.amount } : {}),
        });
        inputs.finish?.();
        expected.set(key(s), Math.max(expected.get(key(s)) ?? 0, result.rps));
        if (record) measurements.add(s.target.name, s.kind, result);
        log(`  ${label}  ${key(s).padEnd(32)} ${fmt(result)}`);
      }
    };
    for (const group of GROUPS) {
      const scenarios = group.flatMap((kind) => targets.filter((t) => needs(t.name, kind)).map((target) => ({ target, kind })));
      if (scenarios.length === 0) continue;
      if (args.warmupSeconds > 0 && timeLeft()) await pass(scenarios, args.warmupSeconds, 'warm-up', false);
      for (let round = 1; round <= args.rounds && timeLeft(); round++) await pass(scenarios, args.durationSeconds, `round ${round}`, true);
    }

    // client_credentials unloaded, then under a bounded login flood, on the same Gatehouse process, round by round.
    if (floodRow?.loginFlood !== undefined) {
      const gatehouses = targets.filter((t) => t.name !== 'oidc-provider');
      const floodRun = async (target: Target, seconds: number, flood: boolean, label: string, record: boolean): Promise<void> => {
        const inputs = await target.workloads.get(floodRow.gatehouse as WorkloadKind)!.prepare({
          durationSeconds: seconds, expectedRps: undefined, connections: args.connections,
        });
        await sleep(args.pauseMs);
        const login = flood ? await startLoginFlood(target.server.info, floodRow.loginFlood!) : undefined;
        await login?.running;
        const result = await runLoad({
          url: target.server.info.url, requests: inputs.requests, connections: args.connections, durationSeconds: seconds,
          check: inputs.check, serverCpuSeconds: () => target.server.cpuSeconds(),
        });
        const stats = await login?.stop();
        const kind = flood ? 'cc_jwt_login_flood' : 'cc_jwt_unloaded';
        if (record) {
          measurements.add(target.name, kind, result);
          if (stats) floodStats.set(target.name, [...(floodStats.get(target.name) ?? []), stats]);
        }
        log(`  ${label}  ${`${target.name}:${kind}`.padEnd(32)} ${fmt(result)}${stats ? `  sign-ins ${fmtFlood(stats)}` : ''}`);
      };
      for (const target of gatehouses) {
        if (args.warmupSeconds > 0 && timeLeft()) await floodRun(target, args.warmupSeconds, true, 'warm-up', false);
      }
      for (let round = 1; round <= args.rounds && timeLeft(); round++) {
        for (const target of gatehouses) {
          if (timeLeft()) await floodRun(target, args.durationSeconds, false, `round ${round}`, true);
          if (timeLeft()) await floodRun(target, args.durationSeconds, true, `round ${round}`, true);
        }
      }
    }

    // The table.
    const tableRows: TableRow[] = [];
    for (const row of args.rows) {
      if (row.loginFlood !== undefined) continue;
      if (!row.http) {
        tableRows.push({ row, database: 'in-process', gatehouse: summarize(measurements.get('sdk', 'verify')), reference: summarize(measurements.get('jose', 'verify')) });
        continue;
      }
      const reference = summarize(measurements.get('oidc-provider', row.reference));
      tableRows.push({ row, database: 'SQLite', gatehouse: summarize(measurements.get('gatehouse', row.gatehouse)), reference });
      if (targets.some((t) => t.name === 'gatehouse-pg')) {
        tableRows.push({ row, database: 'PostgreSQL', gatehouse: summarize(measurements.get('gatehouse-pg', row.gatehouse)), reference });
      }
    }
    const elapsed = Math.round((Date.now() - startedAt) / 1000);
    console.log('');
    if (tableRows.length > 0) console.log(`${renderText(tableRows)}\n`);
    const floodRows = floodRow ? targets.filter((t) => t.name !== 'oidc-provider').map((t) => floodRowOf(t.name, measurements, floodStats)) : [];
    if (floodRows.length > 0) console.log(`\n${renderFloodTable(floodRows, floodRow!.loginFlood!)}\n`);
    console.log(`ratios: ${tableRows.map((r) => `${r.row.id}${r.database === 'PostgreSQL' ? ' (pg)' : ''} ${ratioOf(r)?.toFixed(2) ?? '—'}×`).join(', ')}`);
    if (aborted) console.log(interrupted ? 'interrupted: some runs were skipped' : `time limit (${args.timeLimitSeconds}s) reached: some runs were skipped`);
    console.log(`(${(prepareMs / 1000).toFixed(1)}s minting inputs before runs)`);

    const out = resolve(ROOT_DIR, args.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, resultsMarkdown(args, tableRows, floodRows, measurements, elapsed, aborted, targets.some((t) => t.name === 'gatehouse-pg')));
    console.log(`\nwrote ${out} (${elapsed}s)`);
    if (args.json) {
      writeFileSync(resolve(ROOT_DIR, args.json), JSON.stringify(Object.fromEntries(measurements.entries()), null, 2));
    }
  } finally {
    for (const target of targets.reverse()) await target.server.stop();
    if (scratch) await scratch.drop().catch((error: unknown) => console.error(`could not drop the scratch database: ${String(error)}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function resultsMarkdown(args: BenchArgs, rows: TableRow[], floodRows: FloodRow[], measurements: Measurements, elapsed: number, aborted: boolean, postgres: boolean): string {
  const cpu = cpus();
  const rowList = (list: readonly RowDef[]): string => list.map((row) => `\`${row.id}\``).join(', ');
  return `# Benchmark results

Gatehouse beside [oidc-provider](https://github.com/panva/node-oidc-provider) ${packageVersion('oidc-provider')} (in memory),
measured in the same run on the same machine. Only the **ratios** are meant to be read: absolute numbers move
with whatever else the machine is doing. How each row is measured: [docs/benchmarks.md](../docs/benchmarks.md).

- Date: ${new Date().toISOString()}
- Node ${process.version}, ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores (${process.platform} ${process.arch})
- ${args.rounds} rounds × ${args.durationSeconds}s per workload after a ${args.warmupSeconds}s warm-up, servers alternated every run (A B A B); medians over rounds
- autocannon ${packageVersion('autocannon')}: ${args.connections} connections, pipelining 1, on 127.0.0.1; each server in its own process
- Gatehouse on SQLite (a temporary file)${postgres ? ' and on PostgreSQL (a scratch database, created and dropped by the run)' : ''}
- refresh_token: ${args.recycleRefreshTokens ? 'each request presents a refresh token never presented before (pool seeded from code exchanges, refilled with each answer\'s new token)' : 'only refresh tokens minted before each run'}
- Rows: ${rowList(args.rows)}${args.quick ? ' (quick mode)' : ''}
- Took ${elapsed}s${aborted ? (interrupted ? '; interrupted, some runs were skipped' : `; the time limit (${args.timeLimitSeconds}s) cut some runs`) : ''}

${rows.length > 0 ? `## Table

ratio = Gatehouse req/s ÷ oidc-provider req/s (medians). CPU ratio = oidc-provider's server CPU time per request ÷
Gatehouse's (each process's user + system time from /proc, medians): less sensitive than req/s to other load on the
machine. errors = non-2xx + socket errors + 2xx answers without the expected token, over every round. "target"
checks the row's targets: the ratio, p99 no worse, zero errors. Latencies are autocannon's, in whole milliseconds
for HTTP rows; the in-process row's are per verification.

${renderMarkdown(rows)}
` : ''}${floodRows.length > 0 ? `
## client_credentials under a login flood

The token endpoint (client_credentials, JWT) on the same Gatehouse process, unloaded and then while
${args.rows.find((row) => row.loginFlood !== undefined)!.loginFlood} wrong-password sign-ins are always in flight, each from its own loopback address (no
per-address limit applies), alternated round by round. The target: the flooded p99 within 2× of the
unloaded p99. "sign-ins" are the flood's answers (status × count over every round), their rate and the slowest.

${renderFloodTable(floodRows, args.rows.find((row) => row.loginFlood !== undefined)!.loginFlood!)}
` : ''}
## Every run

Server CPU is the process's user + system time over the run (from /proc), per request.

${renderRuns(measurements)}
`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
