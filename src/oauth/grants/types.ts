// What every grant handler receives and returns.
import type { Services } from '../../services.js';
import type { ClientRecord } from '../../store/types.js';
import type { Params } from '../params.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export interface GrantContext {
  services: Services;
  client: ClientRecord;
  params: Params;
  now: number;
}

export type GrantHandler = (context: GrantContext) => Promise<TokenResponse>;
