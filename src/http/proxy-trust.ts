// Which peers may speak for the client through X-Forwarded-*: one function for the Fastify app and the direct
// endpoints, so rate limits, throttles and logs see the same client address everywhere.
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * false trusts no proxy; a number trusts that many hops nearest the server; otherwise a list of proxy
 * addresses/CIDRs. (Fastify 5 ignores a bare hop count, which made every client one address behind a proxy,
 * so it is given this function instead.)
 */
export function proxyTrust(setting: boolean | number | string): ProxyTrust {
  if (setting === false) return () => false;
  if (setting === true) return () => true;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyAddr.compile(setting.split(',').map((entry) => entry.trim()));
}

/**
 * The client's address for a raw node:http request, as Fastify computes request.ip with the same trust: without
 * a trusted proxy it is the peer itself (read directly: proxy-addr would parse X-Forwarded-For only to drop it).
 */
export function clientAddressReader(setting: boolean | number | string): (request: IncomingMessage) => string {
  if (setting === false) return (request) => request.socket.remoteAddress ?? '';
  const trust = proxyTrust(setting);
  return (request) => proxyAddr(request, trust);
}
