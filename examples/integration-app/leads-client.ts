// Calls the platform's leads API with the user's access token, refreshing it when it has expired or is refused.
import * as oidc from 'openid-client';
import type { Connection } from './connection-store.js';

export interface Lead {
  id: string;
  name: string;
  company: string;
  email: string;
  createdAt: string;
}

export type LeadsResult = { kind: 'ok'; leads: Lead[] } | { kind: 'reconnect'; reason: string };

// The words the app shows when the user revoked its access (or the grant otherwise ended).
const REVOKED = 'Access was revoked: LeadSync can no longer see your leads. Connect again to see them.';

async function refresh(config: oidc.Configuration, connection: Connection): Promise<boolean> {
  if (!connection.refreshToken) return false;
  try {
    const tokens = await oidc.refreshTokenGrant(config, connection.refreshToken);
    connection.accessToken = tokens.access_token;
    connection.refreshToken = tokens.refresh_token ?? connection.refreshToken;
    connection.expiresAt = Date.now() + (tokens.expires_in ?? 3600) * 1000;
    return true;
  } catch {
    // invalid_grant: the user revoked access, or the grant ended; the app must ask to connect again.
    return false;
  }
}

export async function fetchLeads(config: oidc.Configuration, leadsApiUrl: string, connection: Connection): Promise<LeadsResult> {
  if (Date.now() >= connection.expiresAt - 5_000 && !(await refresh(config, connection))) {
    return { kind: 'reconnect', reason: connection.refreshToken ? REVOKED : 'Your connection has ended. Connect again to see your leads.' };
  }
  const call = () => fetch(`${leadsApiUrl}/api/leads`, { headers: { authorization: `Bearer ${connection.accessToken}` } });
  let response = await call();
  if (response.status === 401) {
    // The access token may have been revoked or expired early: one refresh, one retry.
    if (!(await refresh(config, connection))) {
      return { kind: 'reconnect', reason: REVOKED };
    }
    response = await call();
  }
  if (!response.ok) return { kind: 'reconnect', reason: `The leads API answered ${response.status}. Connect again.` };
  const body = (await response.json()) as { leads: Lead[] };
  return { kind: 'ok', leads: body.leads };
}
