// The validated authorization request that the steps build up, and the context they read.
import type { ServicesWith } from '../../services.js';
import type { LookupStore } from '../../store/lookups.js';
import type { ClientRecord, RequestParams } from '../../store/types.js';
import type { Params } from '../params.js';

export type Prompt = 'none' | 'login' | 'consent';

export interface AuthorizationRequest {
  client: ClientRecord;
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  /** The resources (RFC 8707) the access token is for; [] for the default audience. */
  resources: string[];
  nonce: string | undefined;
  codeChallenge: string | null;
  prompt: Prompt[];
  /** Seconds; the user must have signed in this recently (OIDC max_age). */
  maxAge: number | undefined;
  /** The `sub` of a verified id_token_hint: the user the client expects to be signed in. */
  idTokenHintSubject: string | undefined;
  /** The verified id_token_hint's claims (shown to the platform's login page as oidc_context.id_token_hint_claims). */
  idTokenHintClaims?: Record<string, unknown>;
  /** The parameters as received, kept so the consent form can carry them back unchanged. */
  params: RequestParams;
}

/** What the validation reads besides the request: clients from the store, the keys that verify an id_token_hint. */
export type AuthorizeServices = ServicesWith<LookupStore, 'tokens' | 'config' | 'resources'>;

export interface StepContext {
  params: Params;
  request: Partial<AuthorizationRequest>;
  services: AuthorizeServices;
}

/** A step that, once client and redirect_uri are trusted, fails by redirecting an OAuth error to the client. */
export type AuthorizeStep = (context: StepContext) => void | Promise<void>;
