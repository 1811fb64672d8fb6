// The token flows on PostgreSQL, with pg directly. Each socket round trip costs about as much as the work the
// server does, so a code exchange and a refresh rotation are each one statement (data-modifying CTEs: atomic, and
// foreign keys are checked at its end); the rare retry of a lost rotation is a short transaction. Statements are
// named, so each connection plans them once. Reads and row mapping are shared with SQLite (token-sql.ts, rows.ts).
import type pg from 'pg';
import { rethrowDuplicate } from '../errors.js';
import { accessTokenRow, accessTokenWithGrant, clientRecord, codeRecord, grantRecord, grantRow, refreshTokenRow, refreshTokenWithGrant, userRecord, type WithGrantRevocation } from '../rows.js';
import type { SuccessorTokens } from '../token-flows.js';
import type { AccessTokensTable, AuthorizationCodesTable, ClientsTable, GrantsTable, RefreshTokensTable, UsersTable } from '../schema.js';
import type { NativeTokenFlows } from '../sql-store.js';
import { COLUMNS, insertSql, READ_SQL, selectList, WRITE_SQL } from '../token-sql.js';
import type { AccessTokenRecord, AuthorizationCodeContext, ClientRecord, GrantRecord, NewTokens, RedeemCodeResult, RefreshTokenContext, RefreshTokenRecord, ReplaceSuccessorResult, RotateRefreshResult, UserRecord } from '../types.js';
import { InsertBatcher } from './insert-batch.js';

type Inserted = 'grants' | 'access_tokens' | 'refresh_tokens';
type Row<Table extends Inserted> = { grants: ReturnType<typeof grantRow>; access_tokens: ReturnType<typeof accessTokenRow>; refresh_tokens: ReturnType<typeof refreshTokenRow> }[Table];

/** Times are bigint columns; everything else these statements write is text. */
const sqlType = (column: string): string => (column.endsWith('_at') || column === 'auth_time' ? 'bigint' : 'text');

/** A row's values in the order of its table's column list. */
const valuesOf = <Table extends Inserted>(table: Table, row: Row<Table>): unknown[] => COLUMNS[table].map((column) => row[column as keyof Row<Table>]);

/** A row as a JSON object of its named columns, or null when the outer join found none. */
const jsonRow = (table: keyof typeof COLUMNS, alias: string, key: string): string =>
  `CASE WHEN ${alias}.${key} IS NULL THEN NULL ELSE json_build_object(${COLUMNS[table].map((column) => `'${column}', ${alias}.${column}`).join(', ')}) END`;

const CODE_CONTEXT_SQL = `SELECT ${selectList('authorization_codes', 'c')}, ${jsonRow('users', 'u', 'id')} AS user_row
  FROM authorization_codes c LEFT JOIN users u ON u.id = c.user_id WHERE c.code_hash = $1`;
const REFRESH_CONTEXT_SQL = `SELECT ${selectList('refresh_tokens', 't')}, g.revoked_at AS grant_revoked_at,
  ${jsonRow('grants', 'g', 'id')} AS grant_row, ${jsonRow('users', 'u', 'id')} AS user_row
  FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id LEFT JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`;

/** One CTE part, `name AS (INSERT … SELECT $n::type, … FROM source RETURNING 1)`: inserts only when `source` yielded a row. */
class Cte {
  readonly parts: string[] = [];
  constructor(readonly values: unknown[]) {}

  add(sql: string): this {
    this.parts.push(sql);
    return this;
  }

  insertFrom<Table extends Inserted>(name: string, table: Table, row: Row<Table>, source: string): this {
    const first = this.values.length + 1;
    const placeholders = COLUMNS[table].map((column, index) => `$${first + index}::${sqlType(column)}`);
    this.values.push(...valuesOf(table, row));
    return this.add(`${name} AS (INSERT INTO ${table} (${COLUMNS[table].join(', ')}) SELECT ${placeholders.join(', ')} FROM ${source} RETURNING 1)`);
  }

  sql(select: string): string {
    return `WITH ${this.parts.join(', ')} ${select}`;
  }
}

export class PostgresTokenFlows implements NativeTokenFlows {
  /** Opaque client_credentials tokens, inserted in batches (insert-batch.ts). */
  private clientTokens: InsertBatcher | undefined;

  constructor(private readonly pool: pg.Pool) {}

  private async one<Result extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<Result | undefined> {
    const result = await this.pool.query<Result>({ name, text, values });
    return result.rows[0];
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = await this.one<ClientsTable>('gh_client', READ_SQL.client, [clientId]);
    return row && clientRecord(row);
  }

  async getUserById(id: string): Promise<UserRecord | undefined> {
    const row = await this.one<UsersTable>('gh_user', READ_SQL.user, [id]);
    return row && userRecord(row);
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = await this.one<GrantsTable>('gh_grant', READ_SQL.grant, [id]);
    return row && grantRecord(row);
  }

  async getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.one<WithGrantRevocation<RefreshTokensTable>>('gh_refresh', READ_SQL.refreshToken, [tokenHash]);
    return row && refreshTokenWithGrant(row);
  }

  async getAccessToken(id: string): Promise<AccessTokenRecord | undefined> {
    const row = await this.one<WithGrantRevocation<AccessTokensTable>>('gh_access', READ_SQL.accessToken, [id]);
    return row && accessTokenWithGrant(row);
  }

  /** The code and its user in one round trip. */
  async getAuthorizationCodeContext(codeHash: string): Promise<AuthorizationCodeContext | undefined> {
    const row = await this.one<AuthorizationCodesTable & { user_row: UsersTable | null }>('gh_code_context', CODE_CONTEXT_SQL, [codeHash]);
    return row && { code: codeRecord(row), user: row.user_row ? userRecord(row.user_row) : undefined };
  }

  /** The token, its grant and its user in one round trip. */
  async getRefreshTokenContext(tokenHash: string): Promise<RefreshTokenContext | undefined> {
    type ContextRow = WithGrantRevocation<RefreshTokensTable> & { grant_row: GrantsTable; user_row: UsersTable | null };
    const row = await this.one<ContextRow>('gh_refresh_context', REFRESH_CONTEXT_SQL, [tokenHash]);
    if (!row) return undefined;
    return { token: refreshTokenWithGrant(row), grant: grantRecord(row.grant_row), user: row.user_row ? userRecord(row.user_row) : undefined };
  }

  async redeemAuthorizationCode(codeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemCodeResult> {
    // The conditional UPDATE is the claim: racing redemptions wait on its row lock, then find consumed_at set.
    // The grant and tokens are inserted from what it returned, so a lost claim writes nothing.
    const cte = new Cte([now, grant.id, codeHash])
      .add('claimed AS (UPDATE authorization_codes SET consumed_at = $1::bigint, grant_id = $2::text WHERE code_hash = $3::text AND consumed_at IS NULL RETURNING 1)')
      .insertFrom('new_grant', 'grants', grantRow(grant), 'claimed');
    if (tokens.accessToken) cte.insertFrom('new_access', 'access_tokens', accessTokenRow(tokens.accessToken), 'new_grant');
    if (tokens.refreshToken) cte.insertFrom('new_refresh', 'refresh_tokens', refreshTokenRow(tokens.refreshToken), 'new_grant');
    const name = `gh_redeem_${tokens.accessToken ? 'a' : ''}${tokens.refreshToken ? 'r' : ''}`;
    const claimed = await this.one<{ claimed: number }>(name, cte.sql('SELECT count(*)::int AS claimed FROM new_grant'), cte.values).catch(rethrowDuplicate);
    if (claimed?.claimed === 1) return { ok: true };
    // Read in a new statement, after the winner committed, so a replay learns which grant to revoke.
    const code = await this.one<Pick<AuthorizationCodesTable, 'grant_id'>>('gh_code_grant', READ_SQL.codeGrant, [codeHash]);
    return { ok: false, reason: 'already_consumed', grantId: code?.grant_id ?? null };
  }

  async rotateRefreshToken(oldHash: string, now: number, tokens: SuccessorTokens, successorSealed: string | null): Promise<RotateRefreshResult> {
    // The grant's row lock first (it orders rotation against revocation, as in every transaction that touches a
    // grant), then the old token, claimed by a conditional UPDATE; the grant is touched and the new tokens inserted
    // only from what the claim returned. A rotation that waited on the lock and then lost the claim writes nothing.
    const cte = new Cte([oldHash, now, tokens.refreshToken.tokenHash, successorSealed])
      .add('live AS (SELECT grant_id FROM refresh_tokens WHERE token_hash = $1::text AND rotated_at IS NULL AND revoked_at IS NULL)')
      .add('locked AS (SELECT id FROM grants WHERE id = (SELECT grant_id FROM live) AND revoked_at IS NULL FOR UPDATE)')
      .add(`marked AS (UPDATE refresh_tokens SET rotated_at = $2::bigint, replaced_by = $3::text, successor_sealed = $4::text
        WHERE token_hash = $1::text AND rotated_at IS NULL AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM locked) RETURNING 1)`)
      .add('touched AS (UPDATE grants SET last_used_at = $2::bigint WHERE id = (SELECT id FROM locked) AND EXISTS (SELECT 1 FROM marked) RETURNING 1)');
    if (tokens.accessToken) cte.insertFrom('new_access', 'access_tokens', accessTokenRow(tokens.accessToken), 'marked');
    cte.insertFrom('new_refresh', 'refresh_tokens', refreshTokenRow(tokens.refreshToken), 'marked');
    const name = `gh_rotate_${tokens.accessToken ? 'a' : ''}r`;
    const done = await this.one<{ marked: number }>(
      name,
      cte.sql('SELECT (SELECT count(*)::int FROM marked) + (SELECT count(*)::int FROM touched) AS marked'),
      cte.values,
    ).catch(rethrowDuplicate);
    if (done?.marked === 2) return { ok: true };
    // Why not, read in a new statement: gone or revoked (token or grant) is revoked; otherwise it was rotated.
    const state = await this.one<Pick<RefreshTokensTable, 'rotated_at' | 'revoked_at'> & { grant_revoked_at: number | null }>(
      'gh_refresh_state',
      'SELECT t.rotated_at, t.revoked_at, g.revoked_at AS grant_revoked_at FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.token_hash = $1',
      [oldHash],
    );
    if (!state || state.revoked_at !== null || state.grant_revoked_at !== null || state.rotated_at === null) return { ok: false, reason: 'revoked' };
    return { ok: false, reason: 'already_rotated' };
  }

  /** Rare (an answer was lost), so a plain transaction on one connection, step by step. */
  async replaceUnusedSuccessor(rotatedHash: string, successorHash: string, now: number, tokens: SuccessorTokens, successorSealed: string | null): Promise<ReplaceSuccessorResult> {
    const connection = await this.pool.connect();
    const changed = async (text: string, values: unknown[]): Promise<boolean> => ((await connection.query(text, values)).rowCount ?? 0) > 0;
    const retry = async (): Promise<ReplaceSuccessorResult> => {
      const rotated = (await connection.query<Pick<RefreshTokensTable, 'grant_id'>>(READ_SQL.tokenGrant, [rotatedHash])).rows[0];
      if (!rotated || !(await changed(WRITE_SQL.touchGrant, [now, rotated.grant_id]))) return { ok: false, reason: 'revoked' };
      if (!(await changed(WRITE_SQL.repoint, [tokens.refreshToken.tokenHash, successorSealed, now, rotatedHash, successorHash]))) {
        return { ok: false, reason: 'already_retried' };
      }
      if (!(await changed(WRITE_SQL.dropUnused, [now, successorHash, rotated.grant_id]))) return { ok: false, reason: 'successor_used' };
      const placeholder = (_column: string, index: number): string => `$${index + 1}`;
      if (tokens.accessToken) await connection.query(insertSql('access_tokens', placeholder), valuesOf('access_tokens', accessTokenRow(tokens.accessToken)));
      await connection.query(insertSql('refresh_tokens', placeholder), valuesOf('refresh_tokens', refreshTokenRow(tokens.refreshToken)));
      return { ok: true };
    };
    try {
      await connection.query('BEGIN');
      const result = await retry();
      // A retry that did not win undoes its own steps: it touches nothing.
      await connection.query(result.ok ? 'COMMIT' : 'ROLLBACK');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => {});
      return rethrowDuplicate(error);
    } finally {
      connection.release();
    }
  }

  async issueClientToken(accessToken: AccessTokenRecord): Promise<void> {
    this.clientTokens ??= new InsertBatcher(this.pool, 'access_tokens', COLUMNS.access_tokens.map((column) => [column, sqlType(column)] as const));
    await this.clientTokens.insert(valuesOf('access_tokens', accessTokenRow(accessToken))).catch(rethrowDuplicate);
  }
}
