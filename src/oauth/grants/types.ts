// What every grant handler receives and returns.
import type { Config } from '../../config.js';
import type { AuditTrail } from '../../domain/audit.js';
import type { ResourceService } from '../../domain/resources.js';
import type { TokenService } from '../../domain/tokens.js';
import type { DeviceFlowStore } from '../../store/device-flows.js';
import type { TokenFlowStore } from '../../store/token-flows.js';
import type { ClientRecord } from '../../store/types.js';
import type { Params } from '../params.js';

export interface TokenResponse {
  access_token: string;
  /** DPoP when the token is bound to the key of the request's proof (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  /** RFC 8693 §2.2.1: what a token exchange issued (always an access token here). */
  issued_token_type?: string;
}

/** What a grant handler may use: the token flows' storage, token minting and its two settings, not the services bag. */
export interface GrantContext {
  store: TokenFlowStore;
  /** The device authorization grant's storage (grants/device-code.ts). */
  deviceFlows: DeviceFlowStore;
  tokens: TokenService;
  /** Registered resources (RFC 8707), for client_credentials; the other grants narrow what they hold, unread. */
  resources: Pick<ResourceService, 'get'>;
  config: Pick<Config, 'defaultAudience' | 'refreshRetryWindowSeconds' | 'unregisteredResources'>;
  client: ClientRecord;
  params: Params;
  /** The thumbprint of the key of the request's valid DPoP proof; null without one (RFC 9449). */
  dpopJkt: string | null;
  /** Refresh reuse and code replay are audit events. */
  audit: Pick<AuditTrail, 'record'>;
  now: number;
}

export type GrantHandler = (context: GrantContext) => Promise<TokenResponse>;
