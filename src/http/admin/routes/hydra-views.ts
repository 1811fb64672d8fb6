// Hydra 2.x's JSON for login and consent requests and consent sessions (the shapes @ory/hydra-client-fetch reads),
// built from Gatehouse's records. Fields Gatehouse has no value for are left out, not sent empty (README lists them).
import type { ServicesWith } from '../../../services.js';
import type { ClientRecord, ConsentRecord, GrantSummary, RequestParams } from '../../../store/types.js';
import { singleValues, toSearchParams } from '../../../oauth/params.js';
import type { OpenChallenge } from '../../../oauth/delegated/answers.js';
import { JwtRejected } from '../../../jwt/errors.js';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** OAuth2Client as Hydra's login and consent requests embed it. */
export function hydraClient(client: ClientRecord): Record<string, unknown> {
  return {
    client_id: client.clientId,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: ['code'],
    scope: client.scopes.join(' '),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
    skip_consent: client.skipConsent,
    access_token_strategy: client.accessTokenFormat,
    created_at: iso(client.createdAt),
    updated_at: iso(client.updatedAt),
  };
}

const words = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : value.split(' ').filter(Boolean));

/** OIDC parameters of the request a login or consent page may use (Hydra's oidc_context). */
async function oidcContext(services: ServicesWith<unknown, 'tokens'>, open: OpenChallenge): Promise<Record<string, unknown>> {
  const request = singleValues(open.record.request);
  const context: Record<string, unknown> = {};
  if (request.login_hint !== undefined) context.login_hint = request.login_hint;
  if (request.ui_locales !== undefined) context.ui_locales = words(request.ui_locales);
  if (request.acr_values !== undefined) context.acr_values = words(request.acr_values);
  if (request.display !== undefined) context.display = request.display;
  if (request.id_token_hint !== undefined && open.client !== undefined) {
    try {
      // Verified at the authorization endpoint already; read again here rather than stored with the challenge.
      context.id_token_hint_claims = await services.tokens.readOwnJwt(request.id_token_hint, 'id_token', [open.client.clientId]);
    } catch (error) {
      if (!(error instanceof JwtRejected)) throw error;
    }
  }
  return context;
}

function requestUrl(issuer: string, request: RequestParams): string {
  return `${issuer}/oauth2/auth?${toSearchParams(request).toString()}`;
}

/** What Hydra's login and consent requests both say of the request handed over. */
async function handedOverRequest(services: ServicesWith<unknown, 'tokens' | 'config'>, challenge: string, open: OpenChallenge): Promise<Record<string, unknown>> {
  const { record } = open;
  return {
    challenge,
    skip: record.skip,
    subject: record.subject ?? '',
    ...(open.client ? { client: hydraClient(open.client) } : {}),
    request_url: requestUrl(services.config.issuer, record.request),
    requested_scope: open.requestedScope,
    requested_access_token_audience: open.requestedAudience,
    oidc_context: await oidcContext(services, open),
  };
}

export async function loginRequestView(services: ServicesWith<unknown, 'tokens' | 'config'>, challenge: string, open: OpenChallenge): Promise<Record<string, unknown>> {
  const { loginSessionId } = open.record;
  return { ...(await handedOverRequest(services, challenge, open)), ...(loginSessionId !== null ? { session_id: loginSessionId } : {}) };
}

export async function consentRequestView(services: ServicesWith<unknown, 'tokens' | 'config'>, challenge: string, open: OpenChallenge): Promise<Record<string, unknown>> {
  const { loginSessionId, login } = open.record;
  return {
    ...(await handedOverRequest(services, challenge, open)),
    ...(loginSessionId !== null ? { login_session_id: loginSessionId } : {}),
    ...(login?.acr !== undefined ? { acr: login.acr } : {}),
    ...(login?.amr !== undefined ? { amr: login.amr } : {}),
    ...(login?.context !== undefined ? { context: login.context } : {}),
  };
}

/** Hydra's OAuth2LogoutRequest: who signs out of which session, asked by which client (if one was named). */
export function logoutRequestView(services: ServicesWith<unknown, 'config'>, challenge: string, open: OpenChallenge): Record<string, unknown> {
  const { record } = open;
  return {
    challenge,
    subject: record.subject ?? '',
    ...(record.loginSessionId !== null ? { sid: record.loginSessionId } : {}),
    ...(open.client ? { client: hydraClient(open.client) } : {}),
    request_url: `${services.config.issuer}/oauth2/sessions/logout?${toSearchParams(record.request).toString()}`,
    // Sent by a client (RP-Initiated Logout), not the sign-out button of Gatehouse's own pages.
    rp_initiated: record.request.client_id !== undefined || record.request.id_token_hint !== undefined,
    requested_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
  };
}

/** One consent session: a live grant of the subject's, with what was granted and whether the consent is remembered. */
export function consentSessionView(grant: GrantSummary, client: ClientRecord, consent: ConsentRecord | undefined, defaultAudience: string): Record<string, unknown> {
  const granted = grant.granted;
  return {
    consent_request: {
      challenge: grant.id,
      client: hydraClient(client),
      subject: grant.userId ?? '',
      requested_scope: grant.scopes,
      requested_access_token_audience: granted?.audience.length ? granted.audience : [defaultAudience],
    },
    grant_scope: grant.scopes,
    grant_access_token_audience: granted?.audience.length ? granted.audience : [defaultAudience],
    remember: consent !== undefined,
    remember_for: consent?.expiresAt ? consent.expiresAt - consent.updatedAt : 0,
    handled_at: iso(grant.createdAt),
    session: { access_token: granted?.accessToken ?? {}, id_token: granted?.idToken ?? {} },
  };
}
