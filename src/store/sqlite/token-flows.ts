// The token flows on SQLite: better-sqlite3 statements prepared once and run synchronously, so each flow is one
// synchronous step; writes are grouped into one transaction per event-loop turn, each in its own savepoint
// (write-batch.ts). A flow that does not win throws RollBackWith, which undoes its own writes only: a loser
// touches nothing. Reads and row mapping are shared with PostgreSQL (token-sql.ts, rows.ts).
import type Sqlite from 'better-sqlite3';
import { rethrowDuplicate } from '../errors.js';
import { accessTokenRow, accessTokenWithGrant, clientRecord, codeRecord, grantRecord, grantRow, refreshTokenRow, refreshTokenWithGrant, userRecord, type WithGrantRevocation } from '../rows.js';
import type { SuccessorTokens } from '../token-flows.js';
import type { AccessTokensTable, AuthorizationCodesTable, ClientsTable, GrantsTable, RefreshTokensTable, UsersTable } from '../schema.js';
import { insertSql, READ_SQL, WRITE_SQL } from '../token-sql.js';
import type { NativeTokenFlows } from '../sql-store.js';
import type { AccessTokenRecord, AuthorizationCodeContext, ClientRecord, GrantRecord, NewTokens, RedeemCodeResult, RefreshTokenContext, RefreshTokenRecord, ReplaceSuccessorResult, RotateRefreshResult, UserRecord } from '../types.js';
import { RollBackWith, type SqliteConnectionGate } from './write-batch.js';

/**
 * The shared SQL's $1, $2… as better-sqlite3's positional `?`, which binds by order: so each must come once, in
 * order (checked here, at prepare time, rather than trusted).
 */
function positional(sql: string): string {
  let next = 1;
  return sql.replace(/\$(\d+)/g, (_match, n: string) => {
    if (Number(n) !== next++) throw new Error(`SQLite statement needs its parameters once each, in order: ${sql}`);
    return '?';
  });
}

type Key = [string];
type Inserted = 'grants' | 'access_tokens' | 'refresh_tokens';

/** Every statement the flows run, prepared once, on first use (the tables exist only after migrate()). */
function prepareStatements(database: Sqlite.Database) {
  const prepare = <Params extends unknown[], Row = unknown>(sql: string) => database.prepare<Params, Row>(positional(sql));
  const insert = (table: Inserted) => database.prepare<[object]>(insertSql(table, (column) => `@${column}`));
  return {
    read: {
      client: prepare<Key, ClientsTable>(READ_SQL.client),
      user: prepare<Key, UsersTable>(READ_SQL.user),
      grant: prepare<Key, GrantsTable>(READ_SQL.grant),
      code: prepare<Key, AuthorizationCodesTable>(READ_SQL.code),
      refreshToken: prepare<Key, WithGrantRevocation<RefreshTokensTable>>(READ_SQL.refreshToken),
      accessToken: prepare<Key, WithGrantRevocation<AccessTokensTable>>(READ_SQL.accessToken),
      codeGrant: prepare<Key, Pick<AuthorizationCodesTable, 'grant_id'>>(READ_SQL.codeGrant),
      tokenGrant: prepare<Key, Pick<RefreshTokensTable, 'grant_id'>>(READ_SQL.tokenGrant),
      tokenRevoked: prepare<Key, Pick<RefreshTokensTable, 'revoked_at'>>('SELECT revoked_at FROM refresh_tokens WHERE token_hash = $1'),
    },
    write: {
      claimCode: prepare<[number, string, string]>('UPDATE authorization_codes SET consumed_at = $1, grant_id = $2 WHERE code_hash = $3 AND consumed_at IS NULL'),
      touchGrant: prepare<[number, string]>(WRITE_SQL.touchGrant),
      markRotated: prepare<[number, string, string | null, string]>(
        'UPDATE refresh_tokens SET rotated_at = $1, replaced_by = $2, successor_sealed = $3 WHERE token_hash = $4 AND rotated_at IS NULL AND revoked_at IS NULL',
      ),
      repoint: prepare<[string, string | null, number, string, string]>(WRITE_SQL.repoint),
      dropUnused: prepare<[number, string, string]>(WRITE_SQL.dropUnused),
    },
    insertInto: { grants: insert('grants'), access_tokens: insert('access_tokens'), refresh_tokens: insert('refresh_tokens') },
  };
}

export class SqliteTokenFlows implements NativeTokenFlows {
  private prepared: ReturnType<typeof prepareStatements> | undefined;

  constructor(
    private readonly database: Sqlite.Database,
    private readonly gate: SqliteConnectionGate,
  ) {}

  private get read() {
    return (this.prepared ??= prepareStatements(this.database)).read;
  }
  private get write() {
    return (this.prepared ??= prepareStatements(this.database)).write;
  }
  private get insertInto() {
    return (this.prepared ??= prepareStatements(this.database)).insertInto;
  }

  private insertTokens(tokens: NewTokens): void {
    if (tokens.accessToken) this.insertInto.access_tokens.run(accessTokenRow(tokens.accessToken));
    if (tokens.refreshToken) this.insertInto.refresh_tokens.run(refreshTokenRow(tokens.refreshToken));
  }

  private user(id: string): UserRecord | undefined {
    const row = this.read.user.get(id);
    return row && userRecord(row);
  }

  private refreshToken(tokenHash: string): RefreshTokenRecord | undefined {
    const row = this.read.refreshToken.get(tokenHash);
    return row && refreshTokenWithGrant(row);
  }

  private grant(id: string): GrantRecord | undefined {
    const row = this.read.grant.get(id);
    return row && grantRecord(row);
  }

  /**
   * The first step of every flow that changes a refresh token's chain: touch its grant, first as in every
   * transaction that touches a grant (queries/grants.ts revokes in that order too). Undefined when the token is gone
   * (its client or user deleted, or cleaned up after expiry: as good as revoked) or its grant is revoked. A flow that
   * then loses throws RollBackWith, which undoes the touch with the rest.
   */
  private touchGrantOf(tokenHash: string, now: number): string | undefined {
    const token = this.read.tokenGrant.get(tokenHash);
    return token && this.write.touchGrant.run(now, token.grant_id).changes > 0 ? token.grant_id : undefined;
  }

  getClient(clientId: string): Promise<ClientRecord | undefined> {
    return this.gate.read(() => {
      const row = this.read.client.get(clientId);
      return row && clientRecord(row);
    });
  }

  getUserById(id: string): Promise<UserRecord | undefined> {
    return this.gate.read(() => this.user(id));
  }

  getGrant(id: string): Promise<GrantRecord | undefined> {
    return this.gate.read(() => this.grant(id));
  }

  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    return this.gate.read(() => this.refreshToken(tokenHash));
  }

  getAccessToken(id: string): Promise<AccessTokenRecord | undefined> {
    return this.gate.read(() => {
      const row = this.read.accessToken.get(id);
      return row && accessTokenWithGrant(row);
    });
  }

  /** The reads a rotation needs, in one synchronous step (no await between them). */
  getRefreshTokenContext(tokenHash: string): Promise<RefreshTokenContext | undefined> {
    return this.gate.read(() => {
      const token = this.refreshToken(tokenHash);
      return token && { token, grant: this.grant(token.grantId), user: token.userId ? this.user(token.userId) : undefined };
    });
  }

  /** The reads an exchange needs, in one synchronous step. */
  getAuthorizationCodeContext(codeHash: string): Promise<AuthorizationCodeContext | undefined> {
    return this.gate.read(() => {
      const row = this.read.code.get(codeHash);
      if (!row) return undefined;
      const code = codeRecord(row);
      return { code, user: this.user(code.userId) };
    });
  }

  redeemAuthorizationCode(codeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemCodeResult> {
    return this.gate
      .write<RedeemCodeResult>(() => {
        // The conditional UPDATE is the claim: of racing redemptions exactly one changes the row.
        if (this.write.claimCode.run(now, grant.id, codeHash).changes === 0) {
          // Already consumed (by a commit before this one): say by which grant, so a replay revokes it.
          return { ok: false, reason: 'already_consumed', grantId: this.read.codeGrant.get(codeHash)?.grant_id ?? null };
        }
        this.insertInto.grants.run(grantRow(grant));
        this.insertTokens(tokens);
        return { ok: true };
      })
      .catch(rethrowDuplicate);
  }

  rotateRefreshToken(oldHash: string, now: number, tokens: SuccessorTokens, successorSealed: string | null): Promise<RotateRefreshResult> {
    return this.gate
      .write<RotateRefreshResult>(() => {
        const grantId = this.touchGrantOf(oldHash, now);
        if (grantId === undefined) return { ok: false, reason: 'revoked' };
        if (this.write.markRotated.run(now, tokens.refreshToken.tokenHash, successorSealed, oldHash).changes === 0) {
          const revoked = this.read.tokenRevoked.get(oldHash)?.revoked_at ?? null;
          throw new RollBackWith<RotateRefreshResult>({ ok: false, reason: revoked === null ? 'already_rotated' : 'revoked' });
        }
        this.insertTokens(tokens);
        return { ok: true };
      })
      .catch(rethrowDuplicate);
  }

  replaceUnusedSuccessor(rotatedHash: string, successorHash: string, now: number, tokens: SuccessorTokens, successorSealed: string | null): Promise<ReplaceSuccessorResult> {
    return this.gate
      .write<ReplaceSuccessorResult>(() => {
        const grantId = this.touchGrantOf(rotatedHash, now);
        if (grantId === undefined) return { ok: false, reason: 'revoked' };
        const lose = (reason: 'already_retried' | 'successor_used'): never => {
          throw new RollBackWith<ReplaceSuccessorResult>({ ok: false, reason });
        };
        // The claim: of racing retries, exactly one finds the rotation not yet retried.
        if (this.write.repoint.run(tokens.refreshToken.tokenHash, successorSealed, now, rotatedHash, successorHash).changes === 0) lose('already_retried');
        // A successor that was used (rotated) or revoked meanwhile is not a lost answer: leave it to reuse detection.
        if (this.write.dropUnused.run(now, successorHash, grantId).changes === 0) lose('successor_used');
        this.insertTokens(tokens);
        return { ok: true };
      })
      .catch(rethrowDuplicate);
  }

  issueClientToken(accessToken: AccessTokenRecord): Promise<void> {
    return this.gate
      .write(() => {
        this.insertInto.access_tokens.run(accessTokenRow(accessToken));
      })
      .catch(rethrowDuplicate);
  }
}
