// npm run bench:profile -- --row client_credentials_jwt
// Starts Gatehouse with --cpu-prof (profiles in bench/profiles/, gitignored), drives one row's load at it,
// stops it, and prints where the CPU went during the load: self time per function (top 25) and per package.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderSelfTimes, summarizeProfile } from './harness/cpuprofile.js';
import { failures, runLoad } from './harness/load.js';
import { createScratchDatabase, DEFAULT_POSTGRES_URL, type ScratchDatabase } from './harness/postgres.js';
import { ROWS, rowById } from './harness/rows.js';
import { cpuTimesOf } from './harness/processes.js';
import { BENCH_DIR, ROOT_DIR, startGatehouse } from './harness/servers.js';
import type { SqlTiming } from './harness/sql-timing.js';
import { workloadsFor, type WorkloadKind } from './harness/workloads.js';

const USAGE = `npm run bench:profile -- --row ROW [--duration S] [--connections N] [--top N] [--sql] [--postgres [--postgres-url URL]]

  rows: ${ROWS.filter((r) => r.http).map((r) => r.id).join(', ')}
  --sql   SQLite only: also time each SQL statement (time inside better-sqlite3 calls, by SQL text, over the load)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      row: { type: 'string', default: 'client_credentials_jwt' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '20' },
      top: { type: 'string', default: '25' },
      postgres: { type: 'boolean' },
      sql: { type: 'boolean' },
      'postgres-url': { type: 'string', default: DEFAULT_POSTGRES_URL },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const row = rowById(values.row!);
  if (!row.http) throw new Error(`${row.id} runs in-process; profile it with node --cpu-prof directly`);
  const kind = row.gatehouse as WorkloadKind;
  const duration = Number(values.duration);
  const connections = Number(values.connections);

  const profileDir = join(BENCH_DIR, 'profiles');
  const logDir = join(BENCH_DIR, 'logs');
  mkdirSync(profileDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-profile-'));
  // One folder per run: node writes a profile per thread (the main thread, and tsx's module-loader worker).
  const runDir = join(profileDir, `gatehouse-${row.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  let scratch: ScratchDatabase | undefined;
  if (values.sql && values.postgres) throw new Error('--sql times SQLite statements; it does not apply to --postgres');
  const sqlFile = join(dataDir, 'sql-timing.json');
  try {
    if (values.postgres) scratch = await createScratchDatabase(values['postgres-url']!);
    const server = await startGatehouse({
      databaseUrl: scratch?.url ?? `sqlite:${join(dataDir, 'gatehouse.db')}`,
      logFile: join(logDir, 'gatehouse-profile.log'),
      nodeFlags: ['--cpu-prof', '--cpu-prof-dir', runDir],
      ...(values.sql ? { preload: [join(BENCH_DIR, 'harness', 'sql-timing.ts')], env: { BENCH_SQL_TIMING_FILE: sqlFile } } : {}),
    });
    const workload = workloadsFor(server.info, true, { recycleRefreshTokens: true, maxInputs: 200_000 }).get(kind)!;
    const run = async (seconds: number, expectedRps?: number) => {
      const prepared = await workload.prepare({ durationSeconds: seconds, expectedRps, connections });
      const startedAt = Date.now();
      const result = await runLoad({
        url: server.info.url, requests: prepared.requests, connections, durationSeconds: seconds, check: prepared.check,
        serverCpuSeconds: () => server.cpuSeconds(), ...(prepared.amount !== undefined ? { amount: prepared.amount } : {}),
      });
      prepared.finish?.();
      return { result, startedAt };
    };
    const warm = await run(Math.min(2, duration / 2));
    if (values.sql) process.kill(server.pid, 'SIGUSR2'); // SQL timing from here on (minting for the run included)
    const before = cpuTimesOf(server.pid);
    const { result, startedAt } = await run(duration, warm.result.rps * 1.5);
    const loadMs = Date.now() - startedAt;
    const after = cpuTimesOf(server.pid);
    await server.stop();
    console.log(`${row.id} on Gatehouse (${scratch ? 'PostgreSQL' : 'SQLite'}): ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${failures(result)} errors, ` +
      `server CPU ${result.serverCpuMsPerRequest?.toFixed(3)} ms/request`);
    // Includes minting for this run (prepare), so only the split is meaningful.
    const user = after.user - before.user;
    const system = after.system - before.system;
    console.log(`server CPU split while minting + loading: user ${((user / (user + system)) * 100).toFixed(0)}%, system (kernel: sockets, fsync) ${
      ((system / (user + system)) * 100).toFixed(0)}%`);

    // The main thread's profile is the largest: it ran the server.
    const files = readdirSync(runDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(runDir, f));
    const file = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (file === undefined) throw new Error(`no .cpuprofile in ${runDir}`);
    const summary = summarizeProfile(file, ROOT_DIR, loadMs, Number(values.top));
    console.log(`profile: ${file} (last ${(loadMs / 1000).toFixed(1)}s, ${(summary.windowMs / 1000).toFixed(2)}s of CPU samples)\n`);
    console.log(renderSelfTimes(`top ${values.top} functions by self time`, summary.functions));
    console.log('');
    console.log(renderSelfTimes('self time by package / folder', summary.packages));
    if (values.sql && existsSync(sqlFile)) {
      const timings = JSON.parse(readFileSync(sqlFile, 'utf8')) as SqlTiming[];
      const requests = result.requests;
      console.log(`\nSQLite statements since the warm-up (minting for the run included), ${requests} requests in the run:`);
      for (const t of timings.slice(0, 15)) {
        console.log(`${t.ms.toFixed(0).padStart(7)} ms  ${String(t.calls).padStart(7)} calls  ${((t.ms * 1000) / t.calls).toFixed(1).padStart(8)} µs each  ${
          t.sql.length > 110 ? `${t.sql.slice(0, 110)}…` : t.sql}`);
      }
    }
    const older = readdirSync(profileDir).length;
    if (older > 20) console.log(`\n(${older} profile folders in ${profileDir}; delete old ones when done)`);
  } finally {
    if (scratch) await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
