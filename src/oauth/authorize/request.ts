// The validated authorization request that the steps build up, and the context they read.
import type { ServicesWith } from '../../services.js';
import type { LookupStore } from '../../store/lookups.js';
import type { PushedRequestStore } from '../../store/pushed-requests.js';
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
  /** RFC 9449 §10: the thumbprint of the DPoP key the code is bound to (dpop_jkt); null: none. */
  dpopJkt: string | null;
  prompt: Prompt[];
  /** Seconds; the user must have signed in this recently (OIDC max_age). */
  maxAge: number | undefined;
  /** The `sub` of a verified id_token_hint: the user the client expects to be signed in. */
  idTokenHintSubject: string | undefined;
  /** The verified id_token_hint's claims (shown to the platform's login page as oidc_context.id_token_hint_claims). */
  idTokenHintClaims?: Record<string, unknown>;
  /**
   * The parameters as received (for a pushed request: as pushed, with the seal that marks them so), kept so the
   * consent form, the login page's way back and the platform's challenges carry them on unchanged.
   */
  params: RequestParams;
  /** Pushed (RFC 9126): by its request_uri, or carried on from one (its seal verified), or validated at the PAR endpoint. */
  pushed: boolean;
}

/**
 * What the validation reads besides the request: clients from the store, the keys that verify an id_token_hint,
 * registered resources, and pushed requests (consumed by their request_uri) with the clock.
 */
export type AuthorizeServices = ServicesWith<LookupStore & PushedRequestStore, 'tokens' | 'config' | 'resources' | 'now' | 'clientMetadata'>;

export interface StepContext {
  params: Params;
  request: Partial<AuthorizationRequest>;
  services: AuthorizeServices;
}

/** A step that, once client and redirect_uri are trusted, fails by redirecting an OAuth error to the client. */
export type AuthorizeStep = (context: StepContext) => void | Promise<void>;
