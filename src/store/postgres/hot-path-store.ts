// The PostgreSQL store with the token endpoint's own statements on pg directly. Each socket round trip to the
// server costs about as much as the work the server does, so a code exchange and a refresh rotation are each
// one statement (data-modifying CTEs: atomic, and foreign keys are checked at its end), where Kysely's
// transaction took five round trips. Statements are named, so each connection plans them once. Kysely still
// serves everything else; the semantics are those of queries/tokens.ts, and the store contract suite runs
// against this class.
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Dialect } from '../dialect.js';
import { rethrowDuplicate } from '../errors.js';
import { accessTokenRow, accessTokenWithGrant, clientRecord, codeRecord, grantRecord, grantRow, refreshTokenRow, refreshTokenWithGrant, userRecord } from '../rows.js';
import type { Database } from '../schema.js';
import { SqlStore } from '../sql-store.js';
import { InsertBatcher } from './insert-batch.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeContext,
  AuthorizationCodeRecord,
  ClientRecord,
  GrantRecord,
  NewTokens,
  RedeemCodeResult,
  RefreshTokenContext,
  RefreshTokenRecord,
  RotateRefreshResult,
  UserRecord,
} from '../types.js';

type Row = Record<string, unknown>;
type Table = 'grants' | 'access_tokens' | 'refresh_tokens';

/** Times are bigint columns; everything else these statements write is text. */
const sqlType = (column: string): string => (column.endsWith('_at') || column === 'auth_time' ? 'bigint' : 'text');

/**
 * `INSERT INTO table (columns) SELECT $n::type, … FROM source`: inserts only when `source` yielded a row.
 * Parameters are numbered from `first`; the column list comes from the row mapper in rows.ts.
 */
function insertFrom(table: Table, row: object, source: string, first: number): { sql: string; values: unknown[] } {
  const columns = Object.keys(row);
  const placeholders = columns.map((column, index) => `$${first + index}::${sqlType(column)}`);
  return {
    sql: `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${placeholders.join(', ')} FROM ${source} RETURNING 1`,
    values: Object.values(row),
  };
}

export class HotPathPostgresStore extends SqlStore {
  /** Opaque client_credentials tokens, inserted in batches (insert-batch.ts). */
  private clientTokens: InsertBatcher | undefined;

  constructor(db: Kysely<Database>, dialect: Dialect, private readonly pool: pg.Pool) {
    super(db, dialect);
  }

  private async one(name: string, text: string, values: unknown[]): Promise<Row | undefined> {
    const result = await this.pool.query<Row>({ name, text, values });
    return result.rows[0];
  }

  override async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = await this.one('gh_client', 'SELECT * FROM clients WHERE client_id = $1', [clientId]);
    return row && clientRecord(row as never);
  }

  override async getUserById(id: string): Promise<UserRecord | undefined> {
    const row = await this.one('gh_user', 'SELECT * FROM users WHERE id = $1', [id]);
    return row && userRecord(row as never);
  }

  override async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = await this.one('gh_grant', 'SELECT * FROM grants WHERE id = $1', [id]);
    return row && grantRecord(row as never);
  }

  override async getAuthorizationCode(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    const row = await this.one('gh_code', 'SELECT * FROM authorization_codes WHERE code_hash = $1', [codeHash]);
    return row && codeRecord(row as never);
  }

  override async getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.one(
      'gh_refresh',
      'SELECT t.*, g.revoked_at AS grant_revoked_at FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.token_hash = $1',
      [tokenHash],
    );
    return row && refreshTokenWithGrant(row as never);
  }

  override async getAccessToken(id: string): Promise<AccessTokenRecord | undefined> {
    const row = await this.one(
      'gh_access',
      'SELECT t.*, g.revoked_at AS grant_revoked_at FROM access_tokens t LEFT JOIN grants g ON g.id = t.grant_id WHERE t.id = $1',
      [id],
    );
    return row && accessTokenWithGrant(row as never);
  }

  override async getAuthorizationCodeContext(codeHash: string): Promise<AuthorizationCodeContext | undefined> {
    const row = await this.one(
      'gh_code_context',
      'SELECT c.*, row_to_json(u) AS user_row FROM authorization_codes c LEFT JOIN users u ON u.id = c.user_id WHERE c.code_hash = $1',
      [codeHash],
    );
    if (!row) return undefined;
    return { code: codeRecord(row as never), user: row.user_row ? userRecord(row.user_row as never) : undefined };
  }

  override async getRefreshTokenContext(tokenHash: string): Promise<RefreshTokenContext | undefined> {
    const row = await this.one(
      'gh_refresh_context',
      `SELECT t.*, g.revoked_at AS grant_revoked_at, row_to_json(g) AS grant_row, row_to_json(u) AS user_row
       FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id LEFT JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
      [tokenHash],
    );
    if (!row) return undefined;
    return {
      token: refreshTokenWithGrant(row as never),
      grant: grantRecord(row.grant_row as never),
      user: row.user_row ? userRecord(row.user_row as never) : undefined,
    };
  }

  override async redeemAuthorizationCode(codeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemCodeResult> {
    // The conditional UPDATE is the claim: racing redemptions wait on its row lock, then find consumed_at set.
    // The grant and tokens are inserted from what it returned, so a lost claim writes nothing.
    const values: unknown[] = [now, grant.id, codeHash];
    const parts = ['claimed AS (UPDATE authorization_codes SET consumed_at = $1::bigint, grant_id = $2::text WHERE code_hash = $3::text AND consumed_at IS NULL RETURNING 1)'];
    const add = (name: string, table: Table, row: object, source: string): void => {
      const insert = insertFrom(table, row, source, values.length + 1);
      parts.push(`${name} AS (${insert.sql})`);
      values.push(...insert.values);
    };
    add('new_grant', 'grants', grantRow(grant), 'claimed');
    if (tokens.accessToken) add('new_access', 'access_tokens', accessTokenRow(tokens.accessToken), 'new_grant');
    if (tokens.refreshToken) add('new_refresh', 'refresh_tokens', refreshTokenRow(tokens.refreshToken), 'new_grant');
    const name = `gh_redeem_${tokens.accessToken ? 'a' : ''}${tokens.refreshToken ? 'r' : ''}`;
    const claimed = await this.one(name, `WITH ${parts.join(', ')} SELECT count(*)::int AS claimed FROM new_grant`, values).catch(rethrowDuplicate);
    if (claimed?.claimed === 1) return { ok: true };
    // Read in a new statement, after the winner committed, so a replay learns which grant to revoke.
    const code = await this.one('gh_code_grant', 'SELECT grant_id FROM authorization_codes WHERE code_hash = $1', [codeHash]);
    return { ok: false, reason: 'already_consumed', grantId: (code?.grant_id as string | null | undefined) ?? null };
  }

  override async rotateRefreshToken(
    oldHash: string,
    now: number,
    tokens: NewTokens & { refreshToken: RefreshTokenRecord },
    successorSealed: string | null,
  ): Promise<RotateRefreshResult> {
    // The grant's row lock first (it orders rotation against revocation, as in every transaction that touches a
    // grant), then the old token, claimed by a conditional UPDATE; the grant is touched and the new tokens inserted
    // only from what the claim returned. A rotation that waited on the lock and then lost the claim writes nothing.
    const values: unknown[] = [oldHash, now, tokens.refreshToken.tokenHash, successorSealed];
    const parts = [
      'live AS (SELECT grant_id FROM refresh_tokens WHERE token_hash = $1::text AND rotated_at IS NULL AND revoked_at IS NULL)',
      'locked AS (SELECT id FROM grants WHERE id = (SELECT grant_id FROM live) AND revoked_at IS NULL FOR UPDATE)',
      `marked AS (UPDATE refresh_tokens SET rotated_at = $2::bigint, replaced_by = $3::text, successor_sealed = $4::text
        WHERE token_hash = $1::text AND rotated_at IS NULL AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM locked) RETURNING 1)`,
      'touched AS (UPDATE grants SET last_used_at = $2::bigint WHERE id = (SELECT id FROM locked) AND EXISTS (SELECT 1 FROM marked) RETURNING 1)',
    ];
    const add = (name: string, table: Table, row: object): void => {
      const insert = insertFrom(table, row, 'marked', values.length + 1);
      parts.push(`${name} AS (${insert.sql})`);
      values.push(...insert.values);
    };
    if (tokens.accessToken) add('new_access', 'access_tokens', accessTokenRow(tokens.accessToken));
    add('new_refresh', 'refresh_tokens', refreshTokenRow(tokens.refreshToken));
    const name = `gh_rotate_${tokens.accessToken ? 'a' : ''}r`;
    const marked = await this.one(name, `WITH ${parts.join(', ')} SELECT (SELECT count(*)::int FROM marked) + (SELECT count(*)::int FROM touched) AS marked`, values).catch(rethrowDuplicate);
    if (marked?.marked === 2) return { ok: true };
    // Why not, read in a new statement: gone or revoked (token or grant) is revoked; otherwise it was rotated.
    const state = await this.one(
      'gh_refresh_state',
      'SELECT t.rotated_at, t.revoked_at, g.revoked_at AS grant_revoked_at FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.token_hash = $1',
      [oldHash],
    );
    if (!state || state.revoked_at !== null || state.grant_revoked_at !== null || state.rotated_at === null) return { ok: false, reason: 'revoked' };
    return { ok: false, reason: 'already_rotated' };
  }

  override async issueClientToken(accessToken: AccessTokenRecord): Promise<void> {
    const row = accessTokenRow(accessToken);
    this.clientTokens ??= new InsertBatcher(this.pool, 'access_tokens', Object.keys(row).map((column) => [column, sqlType(column)] as const));
    await this.clientTokens.insert(Object.values(row)).catch(rethrowDuplicate);
  }
}
