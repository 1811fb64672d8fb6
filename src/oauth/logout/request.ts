// The validated RP-Initiated Logout request (OpenID Connect RP-Initiated Logout 1.0 §2) that the checks build up.
import type { ServicesWith } from '../../services.js';
import type { LookupStore } from '../../store/lookups.js';
import type { ClientRecord } from '../../store/types.js';
import type { Params } from '../params.js';

export interface LogoutRequest {
  /** The client named by client_id or by the id_token_hint's audience; undefined when neither names one. */
  client: ClientRecord | undefined;
  /** The verified id_token_hint (expired hints count): who the client says is signing out, in which session, for whom. */
  hint: { subject: string; sid: string | undefined; audiences: string[] } | undefined;
  /** Registered for the client, exactly: the only place the browser is sent afterwards. */
  postLogoutRedirectUri: string | undefined;
  /** Carried back to postLogoutRedirectUri unchanged. */
  state: string | undefined;
  /** The user the client believes is signing out (a username or a sid); a hint only. */
  logoutHint: string | undefined;
  /** The parameters as received, kept so the confirmation form can carry them back unchanged. */
  params: Record<string, string>;
}

/** What the checks read besides the request: clients, and the keys that verify an id_token_hint. */
export type LogoutServices = ServicesWith<LookupStore, 'tokens' | 'config'>;

export interface LogoutStepContext {
  params: Params;
  request: Partial<LogoutRequest>;
  services: LogoutServices;
}

export type LogoutStep = (context: LogoutStepContext) => void | Promise<void>;
