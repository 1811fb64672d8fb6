// The SQLite store with the token endpoint's own queries on better-sqlite3 directly: prepared once, run
// synchronously, writes grouped into one transaction per event-loop turn (write-batch.ts). Kysely still serves
// everything else; the SQL here says exactly what queries/tokens.ts and queries/accounts.ts say, and the store
// contract suite runs against this class.
import type Sqlite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { rethrowDuplicate } from '../errors.js';
import { accessTokenRow, accessTokenWithGrant, clientRecord, codeRecord, grantRecord, grantRow, refreshTokenRow, refreshTokenWithGrant, userRecord } from '../rows.js';
import type { Database } from '../schema.js';
import { READINESS_WAIT_MS, SqlStore } from '../sql-store.js';
import { PROBE_ROW_ID, probeNonce } from '../queries/readiness.js';
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
import { RollBackWith, SqliteConnectionGate } from './write-batch.js';

type Row = Record<string, unknown>;

export class HotPathSqliteStore extends SqlStore {
  private readonly gate: SqliteConnectionGate;
  private readonly statements = new Map<string, Sqlite.Statement>();

  constructor(db: Kysely<Database>, dialect: Dialect, private readonly database: Sqlite.Database) {
    super(db, dialect);
    this.gate = new SqliteConnectionGate(database, (work) => db.connection().execute(async () => work()));
  }

  private statement(sql: string): Sqlite.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private one(sql: string, ...params: unknown[]): Row | undefined {
    return this.statement(sql).get(...params) as Row | undefined;
  }

  private changes(sql: string, ...params: unknown[]): number {
    return this.statement(sql).run(...params).changes;
  }

  /** INSERT of a whole row; the column list comes from the row mapper, so it cannot drift from rows.ts. */
  private insert(table: 'access_tokens' | 'refresh_tokens' | 'grants', row: object): void {
    const columns = Object.keys(row);
    this.statement(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`).run(row);
  }

  private insertTokens(tokens: NewTokens): void {
    if (tokens.accessToken) this.insert('access_tokens', accessTokenRow(tokens.accessToken));
    if (tokens.refreshToken) this.insert('refresh_tokens', refreshTokenRow(tokens.refreshToken));
  }

  /**
   * The readiness write, synchronously on the shared connection once it is free (no await inside, so nothing else
   * runs on it meanwhile): busy_timeout is the connection's, so it is shortened for this transaction alone.
   */
  override probeWrite(now: number): Promise<void> {
    return this.gate.read(() => {
      const nonce = probeNonce();
      const busyTimeout = this.database.pragma('busy_timeout', { simple: true }) as number;
      this.database.pragma(`busy_timeout = ${READINESS_WAIT_MS}`);
      try {
        this.database
          .transaction(() => {
            this.statement('INSERT INTO readiness_probe (id, nonce, checked_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET nonce = excluded.nonce, checked_at = excluded.checked_at').run(PROBE_ROW_ID, nonce, now);
            if (this.one('SELECT nonce FROM readiness_probe WHERE id = ?', PROBE_ROW_ID)?.nonce !== nonce) {
              throw new Error('the readiness probe did not read back the row it wrote');
            }
          })
          .immediate();
      } finally {
        this.database.pragma(`busy_timeout = ${busyTimeout}`);
      }
    });
  }

  override getClient(clientId: string): Promise<ClientRecord | undefined> {
    return this.gate.read(() => {
      const row = this.one('SELECT * FROM clients WHERE client_id = ?', clientId);
      return row && clientRecord(row as never);
    });
  }

  override getUserById(id: string): Promise<UserRecord | undefined> {
    return this.gate.read(() => this.user(id));
  }

  override getGrant(id: string): Promise<GrantRecord | undefined> {
    return this.gate.read(() => {
      const row = this.one('SELECT * FROM grants WHERE id = ?', id);
      return row && grantRecord(row as never);
    });
  }

  override getAuthorizationCode(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    return this.gate.read(() => {
      const row = this.one('SELECT * FROM authorization_codes WHERE code_hash = ?', codeHash);
      return row && codeRecord(row as never);
    });
  }

  override getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    return this.gate.read(() => this.refreshToken(tokenHash));
  }

  private refreshToken(tokenHash: string): RefreshTokenRecord | undefined {
    const row = this.one(
      'SELECT t.*, g.revoked_at AS grant_revoked_at FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.token_hash = ?',
      tokenHash,
    );
    return row && refreshTokenWithGrant(row as never);
  }

  private user(id: string): UserRecord | undefined {
    const row = this.one('SELECT * FROM users WHERE id = ?', id);
    return row && userRecord(row as never);
  }

  /** The reads a rotation needs, in one synchronous step (no await between them). */
  override getRefreshTokenContext(tokenHash: string): Promise<RefreshTokenContext | undefined> {
    return this.gate.read(() => {
      const token = this.refreshToken(tokenHash);
      if (!token) return undefined;
      const grant = this.one('SELECT * FROM grants WHERE id = ?', token.grantId);
      return { token, grant: grant && grantRecord(grant as never), user: token.userId ? this.user(token.userId) : undefined };
    });
  }

  /** The reads an exchange needs, in one synchronous step. */
  override getAuthorizationCodeContext(codeHash: string): Promise<AuthorizationCodeContext | undefined> {
    return this.gate.read(() => {
      const row = this.one('SELECT * FROM authorization_codes WHERE code_hash = ?', codeHash);
      if (!row) return undefined;
      const code = codeRecord(row as never);
      return { code, user: this.user(code.userId) };
    });
  }

  override getAccessToken(id: string): Promise<AccessTokenRecord | undefined> {
    return this.gate.read(() => {
      const row = this.one('SELECT t.*, g.revoked_at AS grant_revoked_at FROM access_tokens t LEFT JOIN grants g ON g.id = t.grant_id WHERE t.id = ?', id);
      return row && accessTokenWithGrant(row as never);
    });
  }

  override redeemAuthorizationCode(codeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemCodeResult> {
    return this.gate.write<RedeemCodeResult>(() => {
      // The conditional UPDATE is the claim: of racing redemptions exactly one changes the row.
      const claimed = this.changes(
        'UPDATE authorization_codes SET consumed_at = ?, grant_id = ? WHERE code_hash = ? AND consumed_at IS NULL',
        now, grant.id, codeHash,
      );
      if (claimed === 0) {
        // Already consumed (by a commit before this one): say by which grant, so a replay revokes it.
        const code = this.one('SELECT grant_id FROM authorization_codes WHERE code_hash = ?', codeHash);
        return { ok: false, reason: 'already_consumed', grantId: (code?.grant_id as string | null | undefined) ?? null };
      }
      this.insert('grants', grantRow(grant));
      this.insertTokens(tokens);
      return { ok: true };
    }).catch(rethrowDuplicate);
  }

  override rotateRefreshToken(
    oldHash: string,
    now: number,
    tokens: NewTokens & { refreshToken: RefreshTokenRecord },
    successorSealed: string | null,
  ): Promise<RotateRefreshResult> {
    return this.gate.write<RotateRefreshResult>(() => {
      const old = this.one('SELECT grant_id FROM refresh_tokens WHERE token_hash = ?', oldHash);
      // Gone (its client or user deleted, or cleaned up after expiry): as good as revoked.
      if (!old) return { ok: false, reason: 'revoked' };
      // The grant first, as in every transaction that touches one (see queries/tokens.ts).
      if (this.changes('UPDATE grants SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL', now, old.grant_id) === 0) {
        return { ok: false, reason: 'revoked' };
      }
      const marked = this.changes(
        'UPDATE refresh_tokens SET rotated_at = ?, replaced_by = ?, successor_sealed = ? WHERE token_hash = ? AND rotated_at IS NULL AND revoked_at IS NULL',
        now, tokens.refreshToken.tokenHash, successorSealed, oldHash,
      );
      if (marked === 0) {
        const current = this.one('SELECT revoked_at FROM refresh_tokens WHERE token_hash = ?', oldHash);
        throw new RollBackWith<RotateRefreshResult>({ ok: false, reason: current?.revoked_at == null ? 'already_rotated' : 'revoked' });
      }
      this.insertTokens(tokens);
      return { ok: true };
    }).catch(rethrowDuplicate);
  }

  override issueClientToken(accessToken: AccessTokenRecord): Promise<void> {
    return this.gate.write(() => this.insert('access_tokens', accessTokenRow(accessToken))).catch(rethrowDuplicate);
  }
}
