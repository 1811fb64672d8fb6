// Child processes under test: spawn, wait for their ready line, read their CPU time and resident memory
// from /proc, and stop them (SIGTERM, then SIGKILL after a grace period). Every child started here is
// stopped when the bench exits, however it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

export interface Child<Info> {
  name: string;
  pid: number;
  info: Info;
  /** Where the child's stderr goes. */
  logFile: string;
  /** User + system CPU seconds the child has used so far. */
  cpuSeconds(): number;
  /** Resident set size in KiB (VmRSS). */
  rssKiB(): number;
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
});

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** User and system CPU seconds a process has used (all its threads), from /proc/<pid>/stat. */
export function cpuTimesOf(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLOCK_TICKS_PER_SECOND, system: Number(fields[12]) / CLOCK_TICKS_PER_SECOND };
}

export function cpuSecondsOf(pid: number): number {
  const { user, system } = cpuTimesOf(pid);
  return user + system;
}

export function rssKiBOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : 0;
}

export interface StartOptions<Info> {
  name: string;
  /** Arguments to node (flags, then the script). */
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  isReady: (value: unknown) => value is Info;
  timeoutMs?: number;
}

/** Starts `node ...args` and resolves with the first stdout line that parses as JSON and passes isReady. */
export async function startChild<Info>(options: StartOptions<Info>): Promise<Child<Info>> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, options.args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const tail: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    tail.push(chunk.toString('utf8'));
    if (tail.length > 40) tail.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));

  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not become ready within ${(options.timeoutMs ?? 60_000) / 1000}s; see ${options.logFile}\n${tail.join('')}`));
    }, options.timeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        log.write(`[stdout] ${line}\n`);
        return;
      }
      if (options.isReady(parsed)) {
        log.write('[stdout] ready (client secrets not logged)\n');
        clearTimeout(timer);
        resolve(parsed);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (code ${code}) before it was ready; see ${options.logFile}\n${tail.join('')}`));
    });
  });

  const pid = child.pid!;
  return {
    name: options.name,
    pid,
    info,
    logFile: options.logFile,
    cpuSeconds: () => cpuSecondsOf(pid),
    rssKiB: () => rssKiBOf(pid),
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      log.end();
      return code;
    },
  };
}
