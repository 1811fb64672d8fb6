// npm run bench:memory -- [--tokens 1000000] [--time-limit 900] [--rss-limit-mb 512]
// Issues client_credentials tokens against a Gatehouse child process in batches with bounded concurrency
// (loopback only), samples the child's resident memory (VmRSS) every second, and reports whether it stayed
// bounded: the peak under a limit and no growth over the second half. Writes bench/MEMORY.md.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SCOPE, basicAuth } from './harness/fixtures.js';
import { failures, runLoad } from './harness/load.js';
import { createScratchDatabase, DEFAULT_POSTGRES_URL, type ScratchDatabase } from './harness/postgres.js';
import { median } from './harness/report.js';
import { BENCH_DIR, ROOT_DIR, startGatehouse } from './harness/servers.js';

const USAGE = `npm run bench:memory -- [options]

  --tokens N         tokens to issue (default 1000000; e.g. --tokens 100000 for a shorter check)
  --batch N          tokens per autocannon batch (default 50000)
  --connections N    concurrent connections (default 32)
  --format F         jwt (default) or opaque access tokens
  --time-limit S     stop issuing after S seconds even if short of --tokens (default 1200)
  --rss-limit-mb MB  the peak RSS that counts as bounded (default 512)
  --postgres [--postgres-url URL]   on a scratch PostgreSQL database instead of SQLite
  --out FILE         report file (default bench/MEMORY.md)`;

interface Sample {
  seconds: number;
  issued: number;
  rssMiB: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      tokens: { type: 'string', default: '1000000' },
      batch: { type: 'string', default: '50000' },
      connections: { type: 'string', default: '32' },
      format: { type: 'string', default: 'jwt' },
      'time-limit': { type: 'string', default: '1200' },
      'rss-limit-mb': { type: 'string', default: '512' },
      postgres: { type: 'boolean' },
      'postgres-url': { type: 'string', default: DEFAULT_POSTGRES_URL },
      out: { type: 'string', default: 'bench/MEMORY.md' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const target = Number(values.tokens);
  const batch = Number(values.batch);
  const connections = Number(values.connections);
  const timeLimit = Number(values['time-limit']);
  const rssLimit = Number(values['rss-limit-mb']);
  if (![target, batch, connections, timeLimit, rssLimit].every((n) => Number.isFinite(n) && n > 0)) throw new Error(USAGE);
  if (values.format !== 'jwt' && values.format !== 'opaque') throw new Error('--format is jwt or opaque');

  const logDir = join(BENCH_DIR, 'logs');
  mkdirSync(logDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-memory-'));
  const dbFile = join(dataDir, 'gatehouse.db');
  let scratch: ScratchDatabase | undefined;
  const samples: Sample[] = [];
  let issued = 0;
  let failed = 0;
  try {
    if (values.postgres) scratch = await createScratchDatabase(values['postgres-url']!);
    const server = await startGatehouse({ databaseUrl: scratch?.url ?? `sqlite:${dbFile}`, logFile: join(logDir, 'gatehouse-memory.log') });
    const client = values.format === 'jwt' ? server.info.clients.ccJwt : server.info.clients.ccOpaque;
    const startedAt = Date.now();
    const sample = (): void => {
      samples.push({ seconds: (Date.now() - startedAt) / 1000, issued, rssMiB: server.rssKiB() / 1024 });
    };
    sample();
    const sampler = setInterval(sample, 1000);
    console.log(`issuing ${target.toLocaleString('en-US')} ${values.format} tokens to pid ${server.pid} (${scratch ? 'PostgreSQL' : 'SQLite'}), ` +
      `${connections} connections, batches of ${batch.toLocaleString('en-US')}, at most ${timeLimit}s; start RSS ${samples[0]!.rssMiB.toFixed(1)} MiB`);

    const request = {
      method: 'POST',
      path: server.info.tokenPath,
      headers: { authorization: basicAuth(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&scope=${encodeURIComponent(SCOPE)}`,
    };
    while (issued < target) {
      const left = timeLimit - (Date.now() - startedAt) / 1000;
      if (left <= 1) {
        console.log(`time limit reached after ${issued.toLocaleString('en-US')} tokens`);
        break;
      }
      const result = await runLoad({
        url: server.info.url,
        requests: [request],
        connections,
        durationSeconds: left,
        amount: Math.min(batch, target - issued),
        check: (body) => body.includes('"access_token"'),
      });
      issued += result.requests - result.non2xx - result.invalid;
      failed += failures(result);
      const last = samples[samples.length - 1]!;
      console.log(`  ${issued.toLocaleString('en-US').padStart(9)} tokens  ${Math.round(result.rps)} req/s  RSS ${last.rssMiB.toFixed(1)} MiB  errors ${failed}`);
    }
    // Memory once the load stops (a few seconds for the last commits and a GC).
    await sleep(3000);
    clearInterval(sampler);
    sample();
    const elapsed = (Date.now() - startedAt) / 1000;
    await server.stop();

    const report = analyse(samples, rssLimit);
    const dbBytes = scratch ? undefined : ['', '-wal', '-shm'].reduce((n, suffix) => {
      try {
        return n + statSync(dbFile + suffix).size;
      } catch {
        return n;
      }
    }, 0);
    const lines = [
      `# Memory under one million tokens`,
      '',
      `- Date: ${new Date().toISOString()}; Node ${process.version}; ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores`,
      `- Gatehouse in its own process on ${scratch ? 'PostgreSQL (scratch database)' : 'SQLite (a temporary file)'}; ${values.format} access tokens (client_credentials)`,
      `- ${issued.toLocaleString('en-US')} tokens issued of ${target.toLocaleString('en-US')} asked, in ${elapsed.toFixed(0)}s ` +
        `(${Math.round(issued / elapsed)} tokens/s average), ${failed} errors; ${connections} connections, batches of ${batch.toLocaleString('en-US')}`,
      dbBytes !== undefined ? `- Database at the end: ${(dbBytes / 2 ** 20).toFixed(0)} MiB on disk` : '',
      `- RSS of the server process (VmRSS, sampled every second): start ${report.start.toFixed(1)} MiB, peak ${report.peak.toFixed(1)} MiB, ` +
        `end ${report.end.toFixed(1)} MiB`,
      `- Second half: median RSS ${report.secondHalfStart.toFixed(1)} MiB around the midpoint, ${report.secondHalfEnd.toFixed(1)} MiB in the last tenth ` +
        `(growth ${report.growth >= 0 ? '+' : ''}${report.growth.toFixed(1)} MiB)`,
      `- **${report.bounded ? 'Bounded' : 'Not shown bounded'}**: ${report.reason}`,
      '',
      '| tokens issued | seconds | RSS MiB |',
      '|--:|--:|--:|',
      ...report.milestones.map((s) => `| ${s.issued.toLocaleString('en-US')} | ${s.seconds.toFixed(0)} | ${s.rssMiB.toFixed(1)} |`),
      '',
      issued < target ? `The run stopped at the time limit (--time-limit ${timeLimit}) before ${target.toLocaleString('en-US')} tokens.` : '',
    ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
    const out = resolve(ROOT_DIR, values.out!);
    writeFileSync(out, `${lines.join('\n')}\n`);
    console.log(`\n${lines.slice(2, 9).join('\n')}\n\nwrote ${out}`);
    if (!report.bounded) process.exitCode = 1;
  } finally {
    if (scratch) await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Analysis {
  start: number;
  peak: number;
  end: number;
  secondHalfStart: number;
  secondHalfEnd: number;
  growth: number;
  bounded: boolean;
  reason: string;
  milestones: Sample[];
}

/**
 * Bounded: the peak stays under the limit, and RSS does not keep climbing: over the second half of the tokens,
 * the median of the last tenth is at most max(16 MiB, 10%) above the median around the midpoint.
 */
function analyse(samples: Sample[], limitMiB: number): Analysis {
  const total = samples[samples.length - 1]!.issued;
  const between = (from: number, to: number): number[] =>
    samples.filter((s) => s.issued >= from * total && s.issued <= to * total).map((s) => s.rssMiB);
  const mid = median(between(0.45, 0.55));
  const last = median(between(0.9, 1));
  const growth = last - mid;
  const allowed = Math.max(16, mid * 0.1);
  const peak = Math.max(...samples.map((s) => s.rssMiB));
  const bounded = peak <= limitMiB && growth <= allowed;
  const reason = peak > limitMiB
    ? `peak ${peak.toFixed(1)} MiB is above the limit of ${limitMiB} MiB`
    : growth > allowed
      ? `RSS still grew by ${growth.toFixed(1)} MiB over the second half (allowed ${allowed.toFixed(1)} MiB)`
      : `peak ${peak.toFixed(1)} MiB ≤ ${limitMiB} MiB, and flat over the second half (${growth.toFixed(1)} MiB ≤ ${allowed.toFixed(1)} MiB)`;
  const milestones: Sample[] = [];
  for (let tenth = 0; tenth <= 10; tenth++) {
    const goal = (tenth / 10) * total;
    const at = samples.find((s) => s.issued >= goal);
    if (at && !milestones.includes(at)) milestones.push(at);
  }
  return {
    start: samples[0]!.rssMiB,
    peak,
    end: samples[samples.length - 1]!.rssMiB,
    secondHalfStart: mid,
    secondHalfEnd: last,
    growth,
    bounded,
    reason,
    milestones,
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
