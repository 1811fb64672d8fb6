// Discovery metadata (RFC 8414, OIDC Discovery): exactly what this server supports, nothing more.
import type { Config } from '../config.js';
import { JWT_ALGORITHMS, SIGNING_ALG } from '../jwt/rules.js';
import { DPOP_ALGORITHMS } from '../jwt/dpop.js';
import { GRANTS } from './grants/index.js';

export function authorizationServerMetadata(config: Config, issuer = config.issuer): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    introspection_endpoint: `${issuer}/oauth2/introspect`,
    userinfo_endpoint: `${issuer}/userinfo`,
    device_authorization_endpoint: `${issuer}/oauth2/device/auth`,
    // RFC 9126: pushed authorization requests; required of every client when GATEHOUSE_REQUIRE_PAR is on.
    pushed_authorization_request_endpoint: `${issuer}/oauth2/par`,
    require_pushed_authorization_requests: config.requirePushedAuthorizationRequests,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: Object.keys(GRANTS),
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: [...JWT_ALGORITHMS],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: [...JWT_ALGORITHMS],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    introspection_endpoint_auth_signing_alg_values_supported: [...JWT_ALGORITHMS],
    scopes_supported: Object.keys(config.scopeDescriptions),
    authorization_response_iss_parameter_supported: true,
    // draft-ietf-oauth-client-id-metadata-document: an https client_id is its metadata document.
    client_id_metadata_document_supported: config.clientMetadata.enabled,
    // RFC 8707's `resource` at the authorization and token endpoints. RFC 8707 registers no metadata name; this is
    // the name of its drafts that MCP clients and SDKs read.
    resource_indicators_supported: true,
    prompt_values_supported: ['none', 'login', 'consent'],
    // RFC 9449 §5.1: DPoP proofs are accepted at the token endpoint and userinfo, signed with one of these.
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    // RFC 7591: announced only when registration is on (GATEHOUSE_REGISTRATION open or token).
    ...(config.registration.mode === 'off' ? {} : { registration_endpoint: `${issuer}/oauth2/register` }),
  };
}

export function openIdConfiguration(config: Config, issuer = config.issuer): Record<string, unknown> {
  return {
    ...authorizationServerMetadata(config, issuer),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALG.id_token],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'azp', 'sid', 'name', 'preferred_username', 'email', 'email_verified'],
    // OpenID RP-Initiated, Back-Channel and Front-Channel Logout 1.0 (src/http/routes/logout.ts, src/domain/logout.ts).
    end_session_endpoint: `${issuer}/oauth2/logout`,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}
