// gatehouse-oauth/resource — the resource-server SDK: verify Gatehouse access tokens in an API.
// One core (createTokenVerifier), one error family, thin adapters for Fastify, Express and fetch-API servers.
export { createTokenVerifier } from './verifier.js';
export type { DpopOptions, TokenVerifier, TokenVerifierOptions } from './verifier.js';
export { MemoryDpopReplayCache } from './dpop.js';
export type { DpopReplayCache } from './dpop.js';
export { DPOP_ALGORITHMS } from '../jwt/dpop.js';
export type { Actor, BearerRequest, FetchLike, Principal, ResourceLogger, VerifyOptions } from './types.js';

export {
  ResourceAuthError,
  TokenMissingError,
  InvalidRequestError,
  InvalidTokenError,
  TokenMalformedError,
  TokenExpiredError,
  TokenNotYetValidError,
  TokenInvalidSignatureError,
  TokenKeyNotFoundError,
  TokenWrongIssuerError,
  TokenWrongAudienceError,
  TokenWrongTypeError,
  TokenAlgNotAllowedError,
  TokenInactiveError,
  InsufficientScopeError,
  InvalidDpopProofError,
  TokenDpopBindingError,
  IssuerUnreachableError,
  IssuerMetadataInvalidError,
  isResourceAuthError,
} from './errors.js';
export type { BearerErrorValue, ResourceAuthErrorCode } from './errors.js';

export { renderAuthError } from './challenge.js';
export type { ChallengeContext, RenderedAuthError } from './challenge.js';

export {
  PROTECTED_RESOURCE_WELL_KNOWN,
  protectedResourceMetadata,
  protectedResourceMetadataPaths,
  protectedResourceMetadataUrl,
} from './metadata.js';
export type { ProtectedResourceMetadata, ProtectedResourceMetadataOptions } from './metadata.js';

export { ALLOWED_ALGORITHMS } from './jwt.js';

export { mcpToolScopes } from './mcp.js';
export type { McpToolScopes } from './mcp.js';

export { createFastifyAuth } from './adapters/fastify.js';
export type { FastifyAuth } from './adapters/fastify.js';
export { createExpressAuth } from './adapters/express.js';
export type { ExpressAuth, ExpressLikeMiddleware, ExpressLikeNext, ExpressLikeRequest, ExpressLikeResponse } from './adapters/express.js';
export { createFetchAuth } from './adapters/fetch.js';
export type { AuthenticatedHandler, FetchAuth } from './adapters/fetch.js';
