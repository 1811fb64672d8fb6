// A verifier pointed at a TestIssuer, with a capturing logger.
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from '../../../src/resource/index.js';
import { AUDIENCE, INTROSPECTION_CLIENT, type TestIssuer } from './issuer.js';
import { CapturingLogger } from './logger.js';

export function verifierFor(
  issuer: TestIssuer,
  options: Partial<TokenVerifierOptions> = {},
): { verifier: TokenVerifier; logger: CapturingLogger } {
  const logger = new CapturingLogger();
  const verifier = createTokenVerifier({
    issuer: issuer.url,
    audience: AUDIENCE,
    introspection: INTROSPECTION_CLIENT,
    scopesSupported: ['read:leads', 'write:leads'],
    logger,
    ...options,
  });
  return { verifier, logger };
}
