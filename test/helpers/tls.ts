// A local https server for tests, with a certificate made here (openssl, Debian's) for localhost and 127.0.0.1: the
// certificate is its own CA, which the code under test is told to trust.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface TestCertificate {
  cert: string;
  key: string;
  /** The certificate's file (what GATEHOUSE_FETCH_CA_FILE takes). */
  certFile: string;
  remove(): void;
}

export function makeCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTlsServer(certificate: TestCertificate, handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; origin: string; close(): Promise<void> }> {
  const server = createServer({ cert: certificate.cert, key: certificate.key }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `https://localhost:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A fetch for clients under test (openid-client's customFetch, TestUserAgent) that trusts `ca`. */
export type TrustingFetch = (input: string | URL, init?: TrustingFetchInit) => Promise<Response>;
/** What both the global fetch's callers here and openid-client's customFetch pass. */
export interface TrustingFetchInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit | Uint8Array | null;
  signal?: AbortSignal | null;
  redirect?: RequestRedirect;
}

/**
 * fetch over node:https trusting `ca` (node's global fetch takes no CA without undici's Agent). `localAddress` picks the
 * loopback address the connection comes from (127.0.0.2, 127.0.0.3, …), so one test can be several clients to a proxy.
 * It never follows redirects: callers see each one, as with `redirect: 'manual'`.
 */
export function trustingFetch(ca: string, localAddress?: string): TrustingFetch {
  return async (input, init = {}) => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    const outgoingHeaders: Record<string, string> = {};
    let body: Buffer | undefined;
    if (init.body !== undefined && init.body !== null) {
      if (init.body instanceof URLSearchParams && !headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
      body = Buffer.from(await new Response(init.body as BodyInit).arrayBuffer());
    }
    return new Promise<Response>((resolve, reject) => {
      headers.forEach((value, name) => { outgoingHeaders[name] = value; });
      const outgoing = request(url, { method: init.method ?? 'GET', headers: outgoingHeaders, ca, localAddress, signal: init.signal ?? undefined }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const one of value === undefined ? [] : [value].flat()) answer.append(name, one);
          }
          const status = incoming.statusCode ?? 0;
          const noBody = [101, 204, 205, 304].includes(status) || init.method === 'HEAD';
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: incoming.statusMessage ?? '', headers: answer }));
        });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
}
