// The login-flood row's table: client_credentials on one Gatehouse process, unloaded and under a login flood.
import type { FloodStats } from './login-flood.js';
import { median, summarize, type Measurements, type Summary, type TargetName } from './report.js';

export interface FloodRow {
  database: 'SQLite' | 'PostgreSQL';
  unloaded: Summary | undefined;
  flooded: Summary | undefined;
  flood: FloodStats[];
}

export function floodRowOf(target: TargetName, measurements: Measurements, stats: Map<TargetName, FloodStats[]>): FloodRow {
  return {
    database: target === 'gatehouse-pg' ? 'PostgreSQL' : 'SQLite',
    unloaded: summarize(measurements.get(target, 'cc_jwt_unloaded')),
    flooded: summarize(measurements.get(target, 'cc_jwt_login_flood')),
    flood: stats.get(target) ?? [],
  };
}

/** "401×812 503×0, 38/s, slowest 420 ms" */
export function fmtFlood(stats: FloodStats | FloodStats[]): string {
  const list = Array.isArray(stats) ? stats : [stats];
  const statuses: Record<string, number> = {};
  for (const s of list) for (const [status, count] of Object.entries(s.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  const errors = list.reduce((n, s) => n + s.errors, 0);
  const parts = Object.entries(statuses).map(([status, count]) => `${status}×${count}`);
  if (errors > 0) parts.push(`socket errors ×${errors}`);
  return `${parts.join(' ') || 'none'}, ${median(list.map((s) => s.perSecond)).toFixed(0)}/s, slowest ${Math.max(0, ...list.map((s) => s.maxMs))} ms`;
}

export function p99Ratio(row: FloodRow): number | undefined {
  if (!row.unloaded || !row.flooded || row.unloaded.p99 <= 0) return undefined;
  return row.flooded.p99 / row.unloaded.p99;
}

function verdict(row: FloodRow): string {
  const ratio = p99Ratio(row);
  if (ratio === undefined || !row.unloaded || !row.flooded) return 'n/a';
  const misses: string[] = [];
  if (row.unloaded.errors > 0 || row.flooded.errors > 0) misses.push('errors');
  if (ratio > 2) misses.push('p99 > 2× unloaded');
  return misses.length === 0 ? 'met (≤ 2×)' : `missed: ${misses.join(', ')}`;
}

export function renderFloodTable(rows: readonly FloodRow[], concurrency: number): string {
  const side = (s: Summary | undefined): string[] => (s ? [Math.round(s.rps).toLocaleString('en-US'), String(s.p50), String(s.p99), String(s.errors)] : ['—', '—', '—', '—']);
  const header = ['row', 'unloaded req/s', 'p50 ms', 'p99 ms', 'errors', `under ${concurrency} sign-ins req/s`, 'p50 ms', 'p99 ms', 'errors', 'p99 ratio', 'sign-ins', 'target'];
  const lines = [`| ${header.join(' | ')} |`, `|---|${header.slice(1, -2).map(() => '--:').join('|')}|---|---|`];
  for (const row of rows) {
    const ratio = p99Ratio(row);
    lines.push(`| ${[
      `client_credentials_login_flood${row.database === 'PostgreSQL' ? ' (PostgreSQL)' : ''}`,
      ...side(row.unloaded), ...side(row.flooded),
      ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
      row.flood.length > 0 ? fmtFlood(row.flood) : '—',
      verdict(row),
    ].join(' | ')} |`);
  }
  return lines.join('\n');
}
