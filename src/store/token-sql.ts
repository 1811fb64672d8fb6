// The token flows' hot reads and the statements of their rare retry as SQL, written once for both backends (sqlite/token-flows.ts and
// postgres/token-flows.ts run them on their drivers). Every column is named from a list the compiler checks
// against schema.ts, so a row read here has exactly the type its mapper in rows.ts takes.
// Parameters are written $1, $2… (PostgreSQL), each once and in order, so SQLite can bind them as ? (sqlite/token-flows.ts).
import type {
  AccessTokensTable,
  AuthorizationCodesTable,
  ClientsTable,
  GrantsTable,
  RefreshTokensTable,
  UsersTable,
} from './schema.js';

/** A table's columns, listed once: a column missing from the list, or one the table lacks, is a compile error. */
function columns<Table>(names: Record<keyof Table & string, true>): Array<keyof Table & string> {
  return Object.keys(names) as Array<keyof Table & string>;
}

export const COLUMNS = {
  clients: columns<ClientsTable>({
    client_id: true, name: true, secret_hash: true, redirect_uris: true, grant_types: true, scopes: true,
    token_endpoint_auth_method: true, access_token_ttl: true, refresh_token_ttl: true, refresh_token_grace: true,
    access_token_format: true, resource_server_for: true, token_exchange_resources: true, skip_consent: true, jwks: true, jwks_uri: true, post_logout_redirect_uris: true, backchannel_logout_uri: true,
    backchannel_logout_session_required: true, frontchannel_logout_uri: true, frontchannel_logout_session_required: true,
    require_pushed_authorization_requests: true, logo_uri: true, client_uri: true, policy_uri: true, tos_uri: true, dpop_bound_access_tokens: true,
    registration_token_hash: true, application_type: true, unused_until: true, created_at: true, updated_at: true,
  }),
  users: columns<UsersTable>({ id: true, username: true, password_hash: true, name: true, email: true, created_at: true, external: true }),
  grants: columns<GrantsTable>({
    id: true, client_id: true, user_id: true, scopes: true, auth_time: true, nonce: true, created_at: true,
    last_used_at: true, revoked_at: true, revoked_reason: true, granted: true, session_id: true,
  }),
  authorization_codes: columns<AuthorizationCodesTable>({
    code_hash: true, client_id: true, user_id: true, redirect_uri: true, scopes: true, nonce: true, code_challenge: true,
    code_challenge_method: true, auth_time: true, created_at: true, expires_at: true, consumed_at: true, grant_id: true,
    granted: true,
    session_id: true, dpop_jkt: true,
  }),
  refresh_tokens: columns<RefreshTokensTable>({
    token_hash: true, grant_id: true, client_id: true, user_id: true, scopes: true, created_at: true, expires_at: true,
    rotated_at: true, replaced_by: true, successor_sealed: true, revoked_at: true, retried_at: true, dpop_jkt: true,
  }),
  access_tokens: columns<AccessTokensTable>({
    id: true, grant_id: true, client_id: true, user_id: true, scopes: true, audience: true, format: true,
    created_at: true, expires_at: true, revoked_at: true, dpop_jkt: true, act: true,
  }),
};

/** `alias.column, …` for a select list. */
export const selectList = (table: keyof typeof COLUMNS, alias?: string): string =>
  COLUMNS[table].map((column) => (alias ? `${alias}.${column}` : column)).join(', ');

export const READ_SQL = {
  client: `SELECT ${selectList('clients')} FROM clients WHERE client_id = $1`,
  user: `SELECT ${selectList('users')} FROM users WHERE id = $1`,
  grant: `SELECT ${selectList('grants')} FROM grants WHERE id = $1`,
  code: `SELECT ${selectList('authorization_codes')} FROM authorization_codes WHERE code_hash = $1`,
  /** With the grant's revocation, which the token's own row may not show yet (rows.ts refreshTokenWithGrant). */
  refreshToken: `SELECT ${selectList('refresh_tokens', 't')}, g.revoked_at AS grant_revoked_at
    FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.token_hash = $1`,
  accessToken: `SELECT ${selectList('access_tokens', 't')}, g.revoked_at AS grant_revoked_at
    FROM access_tokens t LEFT JOIN grants g ON g.id = t.grant_id WHERE t.id = $1`,
  /** Which grant a consumed code made, read after a lost claim so a replay revokes it. */
  codeGrant: 'SELECT grant_id FROM authorization_codes WHERE code_hash = $1',
  tokenGrant: 'SELECT grant_id FROM refresh_tokens WHERE token_hash = $1',
} as const;

/** Statements the SQLite flows and the retry of a lost rotation on both backends run (TokenFlowWrites.replaceUnusedSuccessor). */
export const WRITE_SQL = {
  /** $1 now, $2 grant id. The grant's row first: the lock order of every transaction that touches a grant. */
  touchGrant: 'UPDATE grants SET last_used_at = $1 WHERE id = $2 AND revoked_at IS NULL',
  /** $1 new token hash, $2 sealed answer, $3 now, $4 rotated hash, $5 successor hash. The claim: once per rotation. */
  repoint: `UPDATE refresh_tokens SET replaced_by = $1, successor_sealed = $2, retried_at = $3
    WHERE token_hash = $4 AND replaced_by = $5 AND rotated_at IS NOT NULL AND retried_at IS NULL AND revoked_at IS NULL`,
  /** $1 now, $2 successor hash, $3 grant id. A successor used or revoked meanwhile is not a lost answer. */
  dropUnused: 'UPDATE refresh_tokens SET revoked_at = $1 WHERE token_hash = $2 AND grant_id = $3 AND rotated_at IS NULL AND revoked_at IS NULL',
} as const;

/** `INSERT INTO table (columns) VALUES (…)` with one placeholder per column, written by `placeholder`. */
export const insertSql = (table: 'grants' | 'access_tokens' | 'refresh_tokens', placeholder: (column: string, index: number) => string): string =>
  `INSERT INTO ${table} (${COLUMNS[table].join(', ')}) VALUES (${COLUMNS[table].map(placeholder).join(', ')})`;
