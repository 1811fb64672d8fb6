// Why a JWT was refused, as a stable code (callers and tests branch on codes, never on messages). The
// message names the rule; it never contains the token.

export type JwtErrorCode =
  | 'ERR_JWT_MALFORMED'
  | 'ERR_JWT_ALG_NOT_ALLOWED'
  | 'ERR_JWT_WRONG_TYPE'
  | 'ERR_JWT_KID_MISSING'
  | 'ERR_JWT_KEY_NOT_FOUND'
  | 'ERR_JWT_INVALID_SIGNATURE'
  | 'ERR_JWT_WRONG_ISSUER'
  | 'ERR_JWT_WRONG_AUDIENCE'
  | 'ERR_JWT_CLAIM_MISSING'
  | 'ERR_JWT_CLAIM_INVALID'
  | 'ERR_JWT_NOT_YET_VALID'
  | 'ERR_JWT_EXPIRED';

export class JwtRejected extends Error {
  override readonly name = 'JwtRejected';

  constructor(
    readonly code: JwtErrorCode,
    message: string,
    /**
     * The header and claims, when they were read. Only for ERR_JWT_EXPIRED are they verified: expiry is
     * checked last, so an expired token passed every other rule (a caller may report it as expired).
     */
    readonly header?: Record<string, unknown>,
    readonly claims?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
