// Fetching a JSON document a client points Gatehouse at (a jwks_uri today; client metadata documents next) without
// letting that client aim Gatehouse at the inside of the network (SSRF): https only; the host resolved once and every
// address checked (no loopback, private, link-local — cloud metadata lives there —, shared, multicast or reserved
// address), then the connection made to exactly that checked address, with the name still checked by TLS; no
// redirects; bounded size and time. Loopback is allowed only by an explicit development setting.
import { lookup } from 'node:dns/promises';
import { request } from 'node:https';
import { BlockList, isIP } from 'node:net';

export interface OutboundPolicy {
  /** Development only (GATEHOUSE_FETCH_ALLOW_LOOPBACK): documents on 127.0.0.0/8 and ::1 may be fetched. */
  allowLoopback: boolean;
  /** Extra trusted CA certificates (PEM), beside the system's (GATEHOUSE_FETCH_CA_FILE): a private PKI, or tests. */
  ca: string | undefined;
  /** Each fetch must finish within this. */
  timeoutMs: number;
  /** A larger document is refused. */
  maxBytes: number;
}

/** A fetched document is reused for its max-age, kept within a minute and a day; five minutes when it says nothing. */
export const MIN_REUSE_SECONDS = 60;
const MAX_REUSE_SECONDS = 86_400;
const DEFAULT_REUSE_SECONDS = 300;

export function reuseSeconds(fetched: Pick<FetchedJson, 'maxAgeSeconds'>): number {
  return Math.min(MAX_REUSE_SECONDS, Math.max(MIN_REUSE_SECONDS, fetched.maxAgeSeconds ?? DEFAULT_REUSE_SECONDS));
}

export class OutboundFetchError extends Error {
  constructor(readonly url: string, reason: string) {
    super(`${url}: ${reason}`);
    this.name = 'OutboundFetchError';
  }
}

export interface FetchedJson {
  body: unknown;
  /** Seconds the answer may be reused (Cache-Control max-age), when it said. */
  maxAgeSeconds: number | undefined;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

// Addresses that are not on the public internet (IANA special-purpose registries): none of them is ever fetched.
const NOT_PUBLIC = new BlockList();
for (const [address, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(address, bits, 'ipv4');
for (const [address, bits] of [
  // (Not ::ffff:0:0/96: node's BlockList matches every IPv4 address to it; a mapped address is judged as its IPv4 one.)
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23],
  ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(address, bits, 'ipv6');

/** Why an address may not be fetched from, or undefined when it may. */
export function refusedAddress(address: string, allowLoopback: boolean): string | undefined {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return refusedAddress(mapped[1]!, allowLoopback);
  if (LOOPBACK.check(address, family)) return allowLoopback ? undefined : `${address} is a loopback address`;
  if (NOT_PUBLIC.check(address, family)) return `${address} is not a public address (private, link-local, shared or reserved)`;
  return undefined;
}

function maxAge(cacheControl: string | undefined): number | undefined {
  if (cacheControl === undefined || /(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(cacheControl)) return cacheControl === undefined ? undefined : 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,9})"?/i.exec(cacheControl);
  return match ? Number(match[1]) : undefined;
}

/** GETs a JSON document under the policy; any refusal is an OutboundFetchError naming the URL and the reason. */
export async function fetchJson(url: string, policy: OutboundPolicy): Promise<FetchedJson> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new OutboundFetchError(url, 'not an absolute URL');
  }
  if (target.protocol !== 'https:') throw new OutboundFetchError(url, 'only https URLs are fetched');
  if (target.username || target.password) throw new OutboundFetchError(url, 'a URL with credentials is not fetched');
  const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await lookup(hostname, { all: true, verbatim: true });
  } catch {
    throw new OutboundFetchError(url, `the host ${hostname} does not resolve`);
  }
  // Every address the name resolves to must be allowed: the connection then goes to the first, and only to it.
  for (const { address } of addresses) {
    const refused = refusedAddress(address, policy.allowLoopback);
    if (refused) throw new OutboundFetchError(url, `the host ${hostname} resolves to ${refused}`);
  }
  const pinned = addresses[0]!;
  return new Promise<FetchedJson>((resolve, reject) => {
    const fail = (reason: string): void => {
      req.destroy();
      reject(new OutboundFetchError(url, reason));
    };
    const req = request(target, {
      method: 'GET',
      headers: { accept: 'application/json' },
      ca: policy.ca === undefined ? undefined : policy.ca,
      // The checked address, never a second lookup (DNS rebinding); TLS still checks the certificate for the name.
      lookup: (_name, options, callback) => {
        if ((options as { all?: boolean }).all) (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [pinned]);
        else (callback as (error: null, address: string, family: number) => void)(null, pinned.address, pinned.family);
      },
      timeout: policy.timeoutMs,
    });
    const timer = setTimeout(() => fail(`no complete answer within ${policy.timeoutMs} ms`), policy.timeoutMs);
    req.on('timeout', () => fail(`no answer within ${policy.timeoutMs} ms`));
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(new OutboundFetchError(url, `the request failed (${(error as NodeJS.ErrnoException).code ?? error.message})`));
    });
    req.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(`answered a redirect (${status}); redirects are not followed`);
      if (status !== 200) return fail(`answered HTTP ${status}`);
      const type = response.headers['content-type'] ?? '';
      if (!/^application\/([a-z0-9.+-]+\+)?json\b/i.test(type)) return fail(`answered ${type || 'no content type'}, not JSON`);
      const declared = Number(response.headers['content-length'] ?? 0);
      if (declared > policy.maxBytes) return fail(`is ${declared} bytes; at most ${policy.maxBytes} are read`);
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > policy.maxBytes) return fail(`is larger than ${policy.maxBytes} bytes`);
        chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(timer);
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reject(new OutboundFetchError(url, 'is not valid JSON'));
        }
        resolve({ body, maxAgeSeconds: maxAge(response.headers['cache-control']) });
      });
    });
    req.end();
  });
}
