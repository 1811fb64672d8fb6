// The validated authorization request that the steps build up, and the context they read.
import type { ClientRecord } from '../../store/types.js';
import type { Params } from '../params.js';

export type Prompt = 'none' | 'login' | 'consent';

export interface AuthorizationRequest {
  client: ClientRecord;
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  nonce: string | undefined;
  codeChallenge: string | null;
  prompt: Prompt[];
  /** Seconds; the user must have signed in this recently (OIDC max_age). */
  maxAge: number | undefined;
  /** The parameters as received, kept so the consent form can carry them back unchanged. */
  params: Record<string, string>;
}

export interface StepContext {
  params: Params;
  request: Partial<AuthorizationRequest>;
}

/** A step that, once client and redirect_uri are trusted, fails by redirecting an OAuth error to the client. */
export type AuthorizeStep = (context: StepContext) => void | Promise<void>;
