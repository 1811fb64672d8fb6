// The rows of the table: which Gatehouse workload is compared with which oidc-provider workload, and the
// throughput ratio each row aims for.
import type { WorkloadKind } from './workloads.js';

export type RowId =
  | 'client_credentials_jwt'
  | 'client_credentials_jwt_es256'
  | 'client_credentials_opaque'
  | 'authorization_code'
  | 'refresh_token'
  | 'introspection'
  | 'introspection_opaque'
  | 'resource_sdk_verify'
  | 'client_credentials_login_flood';

export interface RowDef {
  id: RowId;
  /** What the row compares, for the table. */
  label: string;
  gatehouse: WorkloadKind | 'sdk_verify';
  reference: WorkloadKind | 'jose_verify';
  /** Least Gatehouse/oidc-provider throughput ratio the row aims for, when it has one. */
  target?: number;
  /** Runs over HTTP against the server processes (PostgreSQL rows too); false: in this process. */
  http: boolean;
  /**
   * Gatehouse against itself instead of oidc-provider: the workload unloaded, then while this many wrong
   * sign-ins are always in flight; the target is the flooded p99 within 2× of the unloaded p99.
   */
  loginFlood?: number;
}

export const ROWS: readonly RowDef[] = [
  { id: 'client_credentials_jwt', label: 'client_credentials: Gatehouse JWT vs oidc-provider opaque', gatehouse: 'cc_jwt', reference: 'cc_opaque', target: 3, http: true },
  { id: 'client_credentials_jwt_es256', label: 'client_credentials: Gatehouse JWT vs oidc-provider JWT ES256', gatehouse: 'cc_jwt', reference: 'cc_jwt', target: 3, http: true },
  { id: 'client_credentials_opaque', label: 'client_credentials: opaque vs opaque', gatehouse: 'cc_opaque', reference: 'cc_opaque', http: true },
  { id: 'authorization_code', label: 'authorization_code redemption (JWT access + refresh token)', gatehouse: 'authorization_code', reference: 'authorization_code', target: 2, http: true },
  { id: 'refresh_token', label: 'refresh_token rotation', gatehouse: 'refresh_token', reference: 'refresh_token', target: 2, http: true },
  { id: 'introspection', label: 'introspection: Gatehouse JWT vs oidc-provider opaque', gatehouse: 'introspect_jwt', reference: 'introspect_opaque', target: 2, http: true },
  { id: 'introspection_opaque', label: 'introspection: opaque vs opaque', gatehouse: 'introspect_opaque', reference: 'introspect_opaque', target: 2, http: true },
  {
    id: 'client_credentials_login_flood', label: 'client_credentials under a login flood vs unloaded (same server, same run)',
    gatehouse: 'cc_jwt', reference: 'cc_jwt', http: true, loginFlood: 12,
  },
  { id: 'resource_sdk_verify', label: 'in-process: SDK createTokenVerifier vs jose jwtVerify (ops/s)', gatehouse: 'sdk_verify', reference: 'jose_verify', http: false },
];

/** Workloads run together, round by round (A B A B …), in this order. */
export const GROUPS: readonly (readonly WorkloadKind[])[] = [
  ['cc_jwt', 'cc_opaque'],
  ['authorization_code'],
  ['refresh_token'],
  ['introspect_jwt', 'introspect_opaque'],
];

export function rowById(id: string): RowDef {
  const row = ROWS.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no row "${id}"; rows: ${ROWS.map((r) => r.id).join(', ')}`);
  return row;
}
