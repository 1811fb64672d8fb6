// Debian's nginx terminating TLS in front of Gatehouse, run unprivileged from a temporary folder. The server block is
// written once, here: the test runs it and docs/deployment.md shows it (a test checks the doc still says the same).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

export interface ServerBlockOptions {
  /** nginx `listen` argument: `443` in production, `127.0.0.1:PORT` in the test. */
  listen: string;
  serverName: string;
  certificate: string;
  key: string;
  /** Gatehouse's public port, as nginx reaches it: `http://127.0.0.1:4444`. */
  upstream: string;
}

/**
 * The server block for Gatehouse. X-Forwarded-For is set to the peer nginx sees, not appended to what the client sent:
 * nginx is the edge, so a client-written X-Forwarded-For is dropped and cannot choose its rate-limit bucket.
 */
export function gatehouseServerBlock(options: ServerBlockOptions): string {
  return `server {
    listen ${options.listen} ssl;
    server_name ${options.serverName};
    ssl_certificate     ${options.certificate};
    ssl_certificate_key ${options.key};

    location / {
        proxy_pass ${options.upstream};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $host;
    }
}
`;
}

/** What the docs show: GATEHOUSE_ISSUER=https://auth.example.com, Gatehouse on 127.0.0.1:4444, GATEHOUSE_TRUST_PROXY=127.0.0.1. */
export const DOCUMENTED_SERVER_BLOCK = gatehouseServerBlock({
  listen: '443',
  serverName: 'auth.example.com',
  certificate: '/etc/ssl/gatehouse/fullchain.pem',
  key: '/etc/ssl/gatehouse/privkey.pem',
  upstream: 'http://127.0.0.1:4444',
});

export interface RunningNginx {
  prefix: string;
  /** What nginx wrote to stderr and its error log: for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground (no root needed, nothing outside the temp folder) and waits until its port accepts connections. */
export async function startNginx(serverBlock: string, port: number, readyTimeoutMs = 10_000): Promise<RunningNginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
  // Run as root (CI), nginx's workers drop to an unprivileged user and must reach the temp folders below.
  chmodSync(prefix, 0o755);
  const config = join(prefix, 'nginx.conf');
  writeFileSync(config, `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path ${prefix}/client_body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;
${serverBlock}}
`);
  // -e: the log nginx writes to before it has read the configuration (the default, /var/log/nginx, needs root).
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', config, '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => child.on('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `code ${code}`;
    resolve();
  }));
  const output = () => {
    const log = join(prefix, 'error.log');
    return `${stderr}${existsSync(log) ? `\n${readLog(log)}` : ''}`;
  };
  const nginx: RunningNginx = {
    prefix,
    output,
    async stop() {
      if (exited === undefined) {
        // SIGQUIT: graceful; SIGTERM: fast shutdown. A test has nothing in flight, so fast is right.
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(killer);
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (!(await accepts(port))) {
    if (exited !== undefined || Date.now() > deadline) {
      const said = output();
      await nginx.stop();
      throw new Error(`nginx ${exited ? `exited with ${exited}` : `was not listening within ${readyTimeoutMs} ms`}:\n${said}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return nginx;
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
