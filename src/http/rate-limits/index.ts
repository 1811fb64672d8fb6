// The public port's rate-limit policy, consulted by both edges (the direct OAuth endpoints and the Fastify
// routes). Three rules, each per client address as proxy trust sees it (../proxy-trust.ts):
// - requests: every request to the port, GATEHOUSE_RATE_LIMIT per second per address (averaged over 10 s);
// - signIn: POST /login, 20 attempts per address per minute;
// - userCodes: wrong device user codes on the verification page, 10 per address per minute; once used up, every
//   look-up is refused, right or wrong, until the minute ends, so the 8-letter codes (RFC 8628 §5.1) cannot be
//   guessed, while people who type their code right are never counted;
// - registrations: dynamic client registrations, GATEHOUSE_REGISTRATION_RATE_LIMIT per address per hour;
// - clientAuth: failed client authentications at token, introspection and revocation, per address and per
//   client (../../oauth/client-auth-throttle.ts).
// Each refusal is a 429 temporarily_unavailable with Retry-After, rendered by ../error-response.ts.
import type { FastifyReply } from 'fastify';
import type { Services } from '../../services.js';
import { AddressLimit, type AddressLimitState } from './address-limit.js';
import type { ClientAuthThrottle } from '../../oauth/client-auth-throttle.js';

/** The general limit's window: long enough to absorb bursts, short enough that a refused client soon retries. */
export const REQUEST_WINDOW_SECONDS = 10;
export const SIGN_IN_ATTEMPTS_PER_MINUTE = 20;
export const WRONG_USER_CODES_PER_MINUTE = 10;

export interface RateLimits {
  requests: AddressLimit;
  signIn: AddressLimit;
  userCodes: AddressLimit;
  /** Dynamic client registrations (POST /oauth2/register), GATEHOUSE_REGISTRATION_RATE_LIMIT per address per hour. */
  registrations: AddressLimit;
  /** Read at each request: tests swap in a throttle with a fake clock. */
  readonly clientAuth: ClientAuthThrottle;
}

export function createRateLimits(services: Services): RateLimits {
  const now = () => services.now();
  return {
    requests: new AddressLimit({ max: services.config.rateLimitPerSecond * REQUEST_WINDOW_SECONDS, windowSeconds: REQUEST_WINDOW_SECONDS, what: 'requests', now }),
    signIn: new AddressLimit({ max: SIGN_IN_ATTEMPTS_PER_MINUTE, windowSeconds: 60, what: 'sign-in attempts', now }),
    userCodes: new AddressLimit({ max: WRONG_USER_CODES_PER_MINUTE, windowSeconds: 60, what: 'wrong device codes', now }),
    registrations: new AddressLimit({ max: services.config.registration.perAddressPerHour, windowSeconds: 3600, what: 'client registrations', now }),
    get clientAuth() {
      return services.clientAuthThrottle;
    },
  };
}

/** X-RateLimit-* headers (as @fastify/rate-limit sent them on POST /login): what is left of the window. */
export function rateLimitHeaders(reply: FastifyReply, state: AddressLimitState): void {
  reply.header('x-ratelimit-limit', state.limit).header('x-ratelimit-remaining', state.remaining).header('x-ratelimit-reset', state.resetSeconds);
}

export { AddressLimit, RateLimited, type AddressLimitState } from './address-limit.js';
export { ClientAuthThrottle, ClientAuthThrottled } from '../../oauth/client-auth-throttle.js';
export { addressKey } from '../../util/fixed-windows.js';
