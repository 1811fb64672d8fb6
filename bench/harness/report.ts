// Medians over rounds, the results table (text for the terminal, Markdown for bench/RESULTS.md).
import { failures, type LoadResult } from './load.js';
import type { RowDef } from './rows.js';

export type TargetName = 'gatehouse' | 'gatehouse-pg' | 'oidc-provider' | 'sdk' | 'jose';

export class Measurements {
  private readonly runs = new Map<string, LoadResult[]>();

  add(target: TargetName, kind: string, result: LoadResult): void {
    const key = `${target}:${kind}`;
    const list = this.runs.get(key) ?? [];
    list.push(result);
    this.runs.set(key, list);
  }

  get(target: TargetName, kind: string): LoadResult[] {
    return this.runs.get(`${target}:${kind}`) ?? [];
  }

  entries(): [string, LoadResult[]][] {
    return [...this.runs.entries()];
  }
}

export interface Summary {
  rounds: number;
  rps: number;
  p50: number;
  p99: number;
  /** non-2xx + socket errors + invalid bodies, over every round. */
  errors: number;
  /** Rounds that ran out of pre-minted inputs before the duration. */
  stoppedAtCount: number;
  /** Median server CPU milliseconds per request (per process, from /proc). */
  cpuMsPerRequest: number | undefined;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(results: readonly LoadResult[]): Summary | undefined {
  if (results.length === 0) return undefined;
  const cpu = results.map((r) => r.serverCpuMsPerRequest).filter((v): v is number => v !== undefined);
  return {
    rounds: results.length,
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + failures(r), 0),
    stoppedAtCount: results.filter((r) => r.stoppedAtCount).length,
    cpuMsPerRequest: cpu.length > 0 ? median(cpu) : undefined,
  };
}

export interface TableRow {
  row: RowDef;
  database: 'SQLite' | 'PostgreSQL' | 'in-process';
  gatehouse: Summary | undefined;
  reference: Summary | undefined;
}

export function ratioOf(row: TableRow): number | undefined {
  if (!row.gatehouse || !row.reference || row.reference.rps === 0) return undefined;
  return row.gatehouse.rps / row.reference.rps;
}

/** oidc-provider's server CPU per request ÷ Gatehouse's: how many times less CPU a Gatehouse answer costs. */
export function cpuRatioOf(row: TableRow): number | undefined {
  const gatehouse = row.gatehouse?.cpuMsPerRequest;
  const reference = row.reference?.cpuMsPerRequest;
  if (gatehouse === undefined || reference === undefined || gatehouse === 0) return undefined;
  return reference / gatehouse;
}

/** Whether the row meets its targets: the ratio, p99 no worse, zero errors. */
export function verdict(row: TableRow): string {
  const ratio = ratioOf(row);
  if (ratio === undefined || !row.gatehouse || !row.reference) return 'n/a';
  const misses: string[] = [];
  if (row.gatehouse.errors > 0 || row.reference.errors > 0) misses.push('errors');
  if (row.row.target !== undefined && ratio < row.row.target) misses.push(`ratio < ${row.row.target}×`);
  if (row.row.http && row.gatehouse.p99 > row.reference.p99) misses.push('p99 worse');
  if (misses.length === 0) return row.row.target !== undefined ? `met (≥ ${row.row.target}×)` : 'ok';
  return `missed: ${misses.join(', ')}`;
}

const fmtRps = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
function fmtMs(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  return value < 1 ? value.toFixed(3) : value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function cells(row: TableRow): string[] {
  const side = (s: Summary | undefined): string[] =>
    s ? [fmtRps(s.rps), fmtMs(s.p50), fmtMs(s.p99), `${s.errors}${s.stoppedAtCount > 0 ? ` (${s.stoppedAtCount}× at count)` : ''}`] : ['—', '—', '—', '—'];
  const ratio = ratioOf(row);
  const cpuRatio = cpuRatioOf(row);
  const name = row.database === 'PostgreSQL' ? `${row.row.id} (PostgreSQL)` : row.row.id;
  return [
    name, ...side(row.gatehouse), ...side(row.reference),
    ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
    cpuRatio === undefined ? '—' : `${cpuRatio.toFixed(2)}×`,
    verdict(row),
  ];
}

export const HEADER = ['row', 'Gatehouse req/s', 'p50 ms', 'p99 ms', 'errors', 'oidc-provider req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'CPU ratio', 'target'];

export function renderText(rows: readonly TableRow[]): string {
  const table = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
  const line = (values: string[]): string => values.map((value, i) => (i === 0 || i === values.length - 1 ? value.padEnd(widths[i]!) : value.padStart(widths[i]!))).join('  ');
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

export function renderMarkdown(rows: readonly TableRow[]): string {
  const head = `| ${HEADER.join(' | ')} |`;
  const rule = `|${HEADER.map((_, i) => (i === 0 || i === HEADER.length - 1 ? '---' : '--:')).join('|')}|`;
  return [head, rule, ...rows.map((row) => `| ${cells(row).join(' | ')} |`)].join('\n');
}

/** Every run, for the record: throughput per round and server CPU per request. */
export function renderRuns(measurements: Measurements): string {
  const lines = ['| target:workload | req/s per round | p99 ms per round | server CPU ms/request (median) | errors |', '|---|---|---|--:|--:|'];
  for (const [key, results] of measurements.entries()) {
    const summary = summarize(results)!;
    lines.push(`| ${key} | ${results.map((r) => fmtRps(r.rps)).join(', ')} | ${results.map((r) => fmtMs(r.p99)).join(', ')} | ${
      summary.cpuMsPerRequest === undefined ? '—' : summary.cpuMsPerRequest.toFixed(3)
    } | ${summary.errors} |`);
  }
  return lines.join('\n');
}
