// Reading a V8 .cpuprofile (what node --cpu-prof writes): self time per function and per package, over a
// window of the profile.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Where: file (relative to the project) and line, or a package. */
  where: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  windowMs: number;
  functions: SelfTime[];
  packages: SelfTime[];
}

function shortUrl(url: string, root: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** node_modules/<package> (scoped too), node:internal, or the project's own folder (src/oauth, …). */
function packageOf(path: string, functionName: string): string {
  if (path === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (path.startsWith('node:')) return 'node (built-in JS)';
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * Self time over the samples taken in the last `windowMs` of the profile (the load, not start-up), or over
 * all of it when windowMs is undefined.
 */
export function summarizeProfile(file: string, root: string, windowMs: number | undefined, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const from = windowMs === undefined ? -Infinity : profile.endTime - windowMs * 1000;
  const functions = new Map<string, SelfTime>();
  const packages = new Map<string, SelfTime>();
  let time = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    // A sample lasts until the next one.
    const duration = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (time < from || duration <= 0) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const path = shortUrl(url, root);
    const name = functionName || '(anonymous)';
    const where = path ? `${path}:${lineNumber + 1}` : '';
    const key = `${name}\u0000${where}`;
    const entry = functions.get(key) ?? { name, where, ms: 0, percent: 0 };
    entry.ms += duration;
    functions.set(key, entry);
    const pkg = packageOf(path, name);
    const pkgEntry = packages.get(pkg) ?? { name: pkg, where: '', ms: 0, percent: 0 };
    pkgEntry.ms += duration;
    packages.set(pkg, pkgEntry);
    total += duration;
  }
  const rank = (map: Map<string, SelfTime>, n: number): SelfTime[] =>
    [...map.values()].sort((a, b) => b.ms - a.ms).slice(0, n).map((entry) => ({ ...entry, percent: total > 0 ? (entry.ms / total) * 100 : 0 }));
  return { windowMs: total, functions: rank(functions, top), packages: rank(packages, 15) };
}

export function renderSelfTimes(title: string, entries: readonly SelfTime[]): string {
  const lines = [title];
  for (const entry of entries) {
    lines.push(`${entry.percent.toFixed(1).padStart(5)}%  ${entry.ms.toFixed(0).padStart(7)} ms  ${entry.name}${entry.where ? `  ${entry.where}` : ''}`);
  }
  return lines.join('\n');
}
