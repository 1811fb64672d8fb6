// The one place an error becomes an HTTP answer (RFC 6750 §3, RFC 9728 §5.1). Pure: adapters copy status,
// headers and body onto their framework's response. The client learns the category (`invalid_token`,
// `insufficient_scope`, `invalid_request`, or nothing when no token was sent) and never why a token
// failed: the reason goes to the log, where the verifier wrote it.
import type { ResourceAuthError } from './errors.js';
import { DPOP_ALGORITHMS } from '../jwt/dpop.js';

export interface ChallengeContext {
  realm: string;
  /** Absolute URL of this resource's RFC 9728 metadata. */
  resourceMetadataUrl: string;
}

export interface RenderedAuthError {
  status: number;
  headers: Record<string, string>;
  /** JSON text. */
  body: string;
}

const DESCRIPTIONS = {
  missing: 'This resource needs an OAuth 2.0 access token: send `Authorization: Bearer <token>`.',
  invalid_request: 'The request carries malformed bearer credentials: send exactly one `Authorization: Bearer <token>` header.',
  invalid_token: 'The access token is not valid.',
  insufficient_scope: 'The access token does not grant the scope this request needs.',
  unavailable: 'The access token could not be checked right now; try again shortly.',
  invalid_dpop_proof: 'The DPoP proof is not valid: make a new one for this request, signed by the key the token is bound to.',
} as const;

const RETRY_AFTER_SECONDS = '5';

export function renderAuthError(error: ResourceAuthError, context: ChallengeContext): RenderedAuthError {
  const base = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (error.status >= 500) {
    return {
      status: error.status,
      headers: { ...base, 'retry-after': RETRY_AFTER_SECONDS },
      body: JSON.stringify({ error: 'temporarily_unavailable', error_description: DESCRIPTIONS.unavailable }),
    };
  }

  const params: Array<[string, string]> = [['realm', context.realm]];
  let body: Record<string, string>;
  switch (error.bearerError) {
    case null:
      body = { error_description: DESCRIPTIONS.missing };
      break;
    default:
      params.push(['error', error.bearerError], ['error_description', DESCRIPTIONS[error.bearerError]]);
      body = { error: error.bearerError, error_description: DESCRIPTIONS[error.bearerError] };
  }
  // RFC 6750 §3 allows `scope` in any challenge; MCP clients ask for exactly these scopes when they authorize
  // after a 401, or step up after a 403. A malformed request (400) names none: it is not about scopes.
  const scope = error.status === 400 ? '' : error.challengeScopes.join(' ');
  if (scope !== '') {
    params.push(['scope', scope]);
    body.scope = scope;
  }
  params.push(['resource_metadata', context.resourceMetadataUrl]);
  // RFC 9449 §7.1: the DPoP scheme names the algorithms proofs may use.
  if (error.dpop) params.push(['algs', DPOP_ALGORITHMS.join(' ')]);

  return {
    status: error.status,
    headers: { ...base, 'www-authenticate': `${error.dpop ? 'DPoP' : 'Bearer'} ${params.map(([name, value]) => `${name}="${quoted(value)}"`).join(', ')}` },
    body: JSON.stringify(body),
  };
}

/** RFC 9110 §5.6.4 quoted-string content: escape `"` and `\`, drop control characters. */
function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]/g, '').replace(/(["\\])/g, '\\$1');
}
