// npm run bench:ceiling: how close Gatehouse's client_credentials comes to what this machine allows. Gatehouse
// (SQLite, JWT access tokens), oidc-provider (opaque and ES256 JWT) and the ceiling (bench/ceiling-server.ts:
// node:http plus one ES256 signature, nothing else) each in their own process, driven in turn by the same
// autocannon load (warm-up, then A B C D rounds, medians). Writes bench/CEILING.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { failures, runLoad, type LoadResult } from './harness/load.js';
import { summarize, type Summary } from './harness/report.js';
import { BENCH_DIR, ROOT_DIR, startCeiling, startGatehouse, startReference, type Server } from './harness/servers.js';
import { workloadsFor, type WorkloadKind } from './harness/workloads.js';

const USAGE = `npm run bench:ceiling -- [--rounds N] [--duration S] [--warmup S] [--connections N] [--out FILE]

  Gatehouse cc_jwt, oidc-provider cc_opaque and cc_jwt, and a bare node:http server that only signs one
  ES256 JWT per request, alternated under the same load; defaults 5 rounds × 3 s after a 1.5 s warm-up,
  20 connections, bench/CEILING.md. About a minute and a half.`;

interface Contender {
  label: string;
  server: Server;
  kind: WorkloadKind;
  results: LoadResult[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1.5' },
      connections: { type: 'string', default: '20' },
      out: { type: 'string', default: 'bench/CEILING.md' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const rounds = Number(values.rounds);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  if (![rounds, duration, warmup, connections].every((n) => Number.isFinite(n) && n >= 0) || rounds < 1 || duration < 0.5 || connections < 1) {
    throw new Error('--rounds ≥ 1, --duration ≥ 0.5, --warmup ≥ 0 and --connections ≥ 1 must be numbers');
  }
  // Whatever happens, the bench ends.
  setTimeout(() => {
    console.error('bench:ceiling: still running after 10 minutes; giving up');
    process.exit(2);
  }, 600_000).unref();

  const logDir = join(BENCH_DIR, 'logs');
  mkdirSync(logDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-ceiling-'));
  const servers: Server[] = [];
  const started = Date.now();
  try {
    const [gatehouse, reference, ceiling] = await Promise.all([
      startGatehouse({ databaseUrl: `sqlite:${join(dataDir, 'gatehouse.db')}`, logFile: join(logDir, 'gatehouse-ceiling.log') }),
      startReference({ logFile: join(logDir, 'oidc-provider-ceiling.log') }),
      startCeiling({ logFile: join(logDir, 'ceiling.log') }),
    ]);
    servers.push(gatehouse, reference, ceiling);
    const contenders: Contender[] = [
      { label: 'Gatehouse: client_credentials, JWT (ES256)', server: gatehouse, kind: 'cc_jwt', results: [] },
      { label: 'oidc-provider: client_credentials, opaque', server: reference, kind: 'cc_opaque', results: [] },
      { label: 'oidc-provider: client_credentials, JWT (ES256)', server: reference, kind: 'cc_jwt', results: [] },
      { label: 'ceiling: node:http + one ES256 signature', server: ceiling, kind: 'cc_jwt', results: [] },
    ];
    const run = async (contender: Contender, seconds: number): Promise<LoadResult> => {
      const workload = workloadsFor(contender.server.info, false, { recycleRefreshTokens: false, maxInputs: 0 }).get(contender.kind)!;
      const inputs = await workload.prepare({ durationSeconds: seconds, expectedRps: undefined, connections });
      await new Promise((resolve) => setTimeout(resolve, 250));
      return runLoad({
        url: contender.server.info.url, requests: inputs.requests, connections, durationSeconds: seconds, check: inputs.check,
        serverCpuSeconds: () => contender.server.cpuSeconds(),
      });
    };
    for (const contender of contenders) if (warmup > 0) await run(contender, warmup);
    for (let round = 1; round <= rounds; round++) {
      for (const contender of contenders) {
        const result = await run(contender, duration);
        contender.results.push(result);
        console.log(`round ${round}  ${contender.label.padEnd(48)} ${Math.round(result.rps).toString().padStart(6)} req/s  p99 ${result.p99} ms  ${failures(result)} errors`);
      }
    }
    const summaries = contenders.map((contender) => summarize(contender.results)!);
    const markdown = report(contenders, summaries, { rounds, duration, warmup, connections, seconds: Math.round((Date.now() - started) / 1000) });
    const out = resolve(ROOT_DIR, values.out!);
    writeFileSync(out, markdown);
    console.log(`\n${markdown}\nwrote ${out}`);
  } finally {
    for (const server of servers.reverse()) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(contenders: Contender[], summaries: Summary[], run: { rounds: number; duration: number; warmup: number; connections: number; seconds: number }): string {
  const [gatehouse, opaque, jwt, ceiling] = summaries as [Summary, Summary, Summary, Summary];
  const ratio = (a: Summary, b: Summary): string => `${(a.rps / b.rps).toFixed(2)}×`;
  const rows = contenders.map((contender, index) => {
    const s = summaries[index]!;
    return `| ${contender.label} | ${Math.round(s.rps).toLocaleString('en-US')} | ${s.p99} | ${s.errors} | ${ratio(s, opaque)} | ${ratio(s, jwt)} | ${(s.cpuMsPerRequest ?? Number.NaN).toFixed(3)} |`;
  });
  const cpu = cpus();
  return `# The ceiling for client_credentials on this machine

How close Gatehouse's token endpoint comes to what the machine allows: a bare node:http server that signs one
ES256 JWT per request and does nothing else (no client authentication, no checks, no storage;
\`bench/ceiling-server.ts\`) measured beside Gatehouse and oidc-provider in the same run, under the same load.
Read the ratios, not the absolute numbers.

- Date: ${new Date().toISOString()}
- Node ${process.version}, ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores
- ${run.rounds} rounds × ${run.duration}s after a ${run.warmup}s warm-up each, the four alternated (A B C D); medians; autocannon with ${run.connections} connections, pipelining 1, on 127.0.0.1; took ${run.seconds}s

| server: workload | req/s | p99 ms | errors | ÷ oidc-provider opaque | ÷ oidc-provider JWT | server CPU ms/request |
|---|--:|--:|--:|--:|--:|--:|
${rows.join('\n')}

- The ceiling is ${ratio(ceiling, opaque)} oidc-provider's opaque client_credentials and ${ratio(ceiling, jwt)} its ES256 JWTs.
- Gatehouse reaches ${((gatehouse.rps / ceiling.rps) * 100).toFixed(0)}% of the ceiling.
`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
