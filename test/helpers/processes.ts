// Real `gatehouse serve` processes (the command built into dist/) for tests that need several instances over one database: each is a child
// process of the real command, ready once its discovery document answers, stopped with SIGTERM (SIGKILL if it
// lingers). Their output is kept so that a failure can say what the servers said.
//
//   const ports = await reservePorts(3);
//   const env = { GATEHOUSE_DATABASE_URL: db.url, GATEHOUSE_SECRET: TEST_SECRET, GATEHOUSE_ISSUER: `http://127.0.0.1:${ports[0].port}` };
//   const instances = await startInstances(ports, env);      // all three at once, as a rolling start would
//   try { ... await withServerLogs(instances, async () => { assertions }) } finally { await stopInstances(instances) }
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server.js';
import { runCli } from '../cli/helpers.js';
import { builtCli } from './built-cli.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Output kept per process (the tail): enough for the last requests' logs and any stack trace. */
const KEEP_OUTPUT = 64 * 1024;

export interface InstancePorts {
  port: number;
  adminPort: number;
}

export interface GatehouseInstance {
  name: string;
  /** The instance's own public origin, http://127.0.0.1:PORT (not necessarily the issuer). */
  url: string;
  adminUrl: string;
  child: ChildProcess;
  /** stdout and stderr so far, interleaved (the tail). */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a child gets: only what it needs, so the developer's GATEHOUSE_* settings never leak in. */
function childEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_ADMIN_HOST: '127.0.0.1',
    GATEHOUSE_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...env,
  };
}

/** Free loopback ports for `count` instances (a public and an admin port each), reserved before any starts. */
export async function reservePorts(count: number): Promise<InstancePorts[]> {
  const taken = new Set<number>();
  const next = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const ports: InstancePorts[] = [];
  for (let i = 0; i < count; i++) ports.push({ port: await next(), adminPort: await next() });
  return ports;
}

/** Runs `gatehouse ...args` to completion with `env` (plus loopback hosts), feeding `input` to stdin. */
export function runGatehouse(args: string[], env: Record<string, string>, input = ''): Promise<CommandResult> {
  return runCli(args, childEnv(env), input);
}

/** Like runGatehouse, but a non-zero exit is an error that carries the command's output. */
export async function gatehouse(args: string[], env: Record<string, string>, input?: string): Promise<string> {
  const result = await runGatehouse(args, env, input);
  if (result.code !== 0) {
    throw new Error(`gatehouse ${args.join(' ')} exited with ${result.code}\n--- stderr ---\n${result.stderr}\n--- stdout ---\n${result.stdout}`);
  }
  return result.stdout;
}

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/**
 * Starts `gatehouse serve` on `ports` with `env` and waits until GET /.well-known/openid-configuration
 * answers 200 on its public port (and the admin port answers /healthz). Rejects, with the process's output,
 * if it exits first or is not ready within `readyTimeoutMs`.
 */
export async function startInstance(name: string, ports: InstancePorts, env: Record<string, string>, readyTimeoutMs = 30_000, command?: { path: string; cwd: string }): Promise<GatehouseInstance> {
  const url = `http://127.0.0.1:${ports.port}`;
  const adminUrl = `http://127.0.0.1:${ports.adminPort}`;
  // `command`: another copy of the gatehouse command (an installed package) instead of this checkout's build.
  const child = spawn(process.execPath, [command?.path ?? builtCli(), 'serve'], {
    cwd: command?.cwd ?? ROOT,
    env: childEnv({ ...env, GATEHOUSE_PORT: String(ports.port), GATEHOUSE_ADMIN_PORT: String(ports.adminPort) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: string) => {
    output += chunk;
    if (output.length > KEEP_OUTPUT * 2) output = output.slice(-KEEP_OUTPUT);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  let exitedWith: string | undefined;
  const exit = new Promise<void>((resolveExit) => {
    child.on('exit', (code, signal) => {
      exitedWith = signal ? `signal ${signal}` : `code ${code}`;
      resolveExit();
    });
  });
  child.on('error', (error) => keep(`\n[spawn error] ${error.message}\n`));

  const instance: GatehouseInstance = {
    name,
    url,
    adminUrl,
    child,
    output: () => output.slice(-KEEP_OUTPUT),
    exited: () => exitedWith !== undefined,
    async stop(graceMs = 5000) {
      if (exitedWith !== undefined) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(killer);
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitedWith !== undefined) {
      throw new Error(`gatehouse serve (${name}, ${url}) exited with ${exitedWith} before it was ready:\n${instance.output()}`);
    }
    try {
      const [discovery, health] = await Promise.all([
        fetch(`${url}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2000) }),
        fetch(`${adminUrl}/healthz`, { signal: AbortSignal.timeout(2000) }),
      ]);
      await Promise.all([discovery.arrayBuffer(), health.arrayBuffer()]);
      if (discovery.status === 200 && health.status === 200) return instance;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await instance.stop();
      throw new Error(`gatehouse serve (${name}, ${url}) was not ready within ${readyTimeoutMs} ms:\n${instance.output()}`);
    }
    await sleep(100);
  }
}

/** Starts one instance per entry of `ports`, all at once (they migrate the same database together), named A, B, C… */
export async function startInstances(ports: InstancePorts[], env: Record<string, string>): Promise<GatehouseInstance[]> {
  const started = await Promise.allSettled(ports.map((p, i) => startInstance(String.fromCharCode(65 + i), p, env)));
  const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopInstances(instances);
    throw failed.reason;
  }
  return instances;
}

export async function stopInstances(instances: GatehouseInstance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.stop()));
}

/** What the instances printed, one section each: for failure messages. */
export function serverLogs(instances: GatehouseInstance[]): string {
  return instances
    .map((instance) => `--- ${instance.name} (${instance.url})${instance.exited() ? ' [exited]' : ''} ---\n${instance.output().trim() || '(no output)'}`)
    .join('\n');
}

/** Runs `body`; if it throws, the error's message gains the instances' output, so a failure shows what the servers said. */
export async function withServerLogs<T>(instances: GatehouseInstance[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof Error) error.message += `\n\nServer output:\n${serverLogs(instances)}`;
    throw error;
  }
}
