// A preload for the Gatehouse child (node --import tsx --import bench/harness/sql-timing.ts …) used by
// `npm run bench:profile -- --sql`: times every better-sqlite3 statement call (run/get/all/iterate) by its SQL
// text, from the last SIGUSR2 on, and writes the totals as JSON to $BENCH_SQL_TIMING_FILE when the process exits.
// It changes nothing the server does; it only wraps the calls with a clock.
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface SqlTiming {
  sql: string;
  calls: number;
  ms: number;
}

type Method = (this: { source: string }, ...args: unknown[]) => unknown;

const file = process.env.BENCH_SQL_TIMING_FILE;
if (file) {
  const probe = new Database(':memory:');
  const prototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, Method>;
  probe.close();
  let stats = new Map<string, { calls: number; ns: number }>();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const original = prototype[name];
    if (typeof original !== 'function') continue;
    prototype[name] = function timed(this: { source: string }, ...args: unknown[]): unknown {
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const sql = this.source.replace(/\s+/g, ' ');
        const entry = stats.get(sql) ?? { calls: 0, ns: 0 };
        entry.calls++;
        entry.ns += Number(process.hrtime.bigint() - started);
        stats.set(sql, entry);
      }
    };
  }
  process.on('SIGUSR2', () => {
    stats = new Map();
  });
  process.on('exit', () => {
    const list: SqlTiming[] = [...stats.entries()].map(([sql, { calls, ns }]) => ({ sql, calls, ms: ns / 1e6 }));
    writeFileSync(file, JSON.stringify(list.sort((a, b) => b.ms - a.ms)));
  });
}
