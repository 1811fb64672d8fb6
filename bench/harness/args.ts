// Command-line flags of `npm run bench`.
import { parseArgs } from 'node:util';
import { ROWS, rowById, type RowDef } from './rows.js';
import { DEFAULT_POSTGRES_URL } from './postgres.js';

export interface BenchArgs {
  durationSeconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number;
  pauseMs: number;
  rows: RowDef[];
  /** 'auto': use PostgreSQL when it answers; 'on': required; 'off': SQLite only. */
  postgres: 'auto' | 'on' | 'off';
  postgresUrl: string;
  recycleRefreshTokens: boolean;
  maxInputs: number;
  out: string;
  json: string | undefined;
  timeLimitSeconds: number;
  quick: boolean;
}

export const USAGE = `npm run bench -- [options]

  --quick              about a minute: --duration 1 --rounds 2 --warmup 0.3, SQLite only unless --postgres
  --duration S         seconds per timed run (default 3)
  --rounds N           timed runs per workload, alternating the servers (default 3)
  --warmup S           untimed run per workload first (default 1.5)
  --connections N      autocannon connections (default 20; pipelining is always 1)
  --pause MS           idle time before each run (default 250; quick 50)
  --only ROW[,ROW]     only these rows (repeatable): ${ROWS.map((r) => r.id).join(', ')}
  --postgres           require PostgreSQL rows (default: when ${DEFAULT_POSTGRES_URL} answers, except with --quick)
  --no-postgres        SQLite rows only
  --postgres-url URL   server to create the scratch database on (default ${DEFAULT_POSTGRES_URL})
  --no-recycle         refresh_token: only tokens minted before each run; the run stops when they run out
  --max-inputs N       most codes/refresh tokens minted for one run (default 60000)
  --out FILE           results file (default: a new bench/results/results-<UTC time>.md, never an earlier one)
  --update-results     write bench/RESULTS.md, the results the docs quote, instead
  --json FILE          also write every run as JSON
  --time-limit S       stop starting runs after S seconds (default 420; quick 100)
`;

function number(value: string | undefined, fallback: number, name: string, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${value}"`);
  return parsed;
}

/** The committed results the docs quote: rewritten only when asked (--update-results). */
export const COMMITTED_RESULTS = 'bench/RESULTS.md';

/** A run's own results file, named by its start time, so a casual run never overwrites the committed results. */
export function newResultsFile(now: Date): string {
  return `bench/results/results-${now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.md`;
}

export function parseBenchArgs(argv: string[], now = new Date()): BenchArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      pause: { type: 'string' },
      only: { type: 'string', multiple: true },
      postgres: { type: 'boolean' },
      'no-postgres': { type: 'boolean' },
      'postgres-url': { type: 'string' },
      'no-recycle': { type: 'boolean' },
      'max-inputs': { type: 'string' },
      out: { type: 'string' },
      'update-results': { type: 'boolean' },
      json: { type: 'string' },
      'time-limit': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const only = (values.only ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  if (values.out !== undefined && values['update-results']) throw new Error('--out and --update-results contradict each other');
  if (values.postgres && values['no-postgres']) throw new Error('--postgres and --no-postgres contradict each other');
  return {
    quick,
    durationSeconds: number(values.duration, quick ? 1 : 3, 'duration', 0.5),
    rounds: Math.round(number(values.rounds, quick ? 2 : 3, 'rounds', 1)),
    warmupSeconds: number(values.warmup, quick ? 0.3 : 1.5, 'warmup', 0),
    connections: Math.round(number(values.connections, 20, 'connections', 1)),
    pauseMs: number(values.pause, quick ? 50 : 250, 'pause', 0),
    rows: only.length > 0 ? only.map(rowById) : [...ROWS],
    postgres: values.postgres ? 'on' : values['no-postgres'] || quick ? 'off' : 'auto',
    postgresUrl: values['postgres-url'] ?? DEFAULT_POSTGRES_URL,
    recycleRefreshTokens: !values['no-recycle'],
    maxInputs: Math.round(number(values['max-inputs'], 60_000, 'max-inputs', 1)),
    out: values.out ?? (values['update-results'] ? COMMITTED_RESULTS : newResultsFile(now)),
    json: values.json,
    timeLimitSeconds: number(values['time-limit'], quick ? 100 : 420, 'time-limit', 1),
  };
}
