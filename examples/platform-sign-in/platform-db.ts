// The platform's own data, apart from Gatehouse: its users (passwords hashed with scrypt) and its browser sessions,
// in one SQLite file through better-sqlite3. A real platform has these already; Gatehouse never reads them.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface PlatformUser {
  /** The platform's stable user id: the `sub` Gatehouse puts in every token. */
  subject: string;
  username: string;
  name: string;
  email: string;
}

export interface PlatformSession {
  /** The signed-in user's subject, or null before sign-in (the session then only carries the CSRF token). */
  subject: string | null;
  csrf: string;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(key, expected);
}

/** Compared against when the username is unknown, so a wrong name takes as long as a wrong password. */
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));

const digest = (sessionId: string) => createHash('sha256').update(sessionId).digest('base64url');

export class PlatformDb {
  private readonly db: Database.Database;

  /** `file` is a path (its folder is created) or ':memory:'. */
  constructor(file: string, private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS sessions (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );`);
  }

  private static toUser(row: { id: number; username: string; name: string; email: string }): PlatformUser {
    return { subject: `platform-user-${row.id}`, username: row.username, name: row.name, email: row.email };
  }

  /** Creates the user, or sets the password, name and email of an existing one (the demo's seed runs on every start). */
  async upsertUser(input: { username: string; password: string; name: string; email: string }): Promise<PlatformUser> {
    const passwordHash = await hashPassword(input.password);
    this.db.prepare(`INSERT INTO users (username, password_hash, name, email) VALUES (?, ?, ?, ?)
      ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, name = excluded.name, email = excluded.email`)
      .run(input.username, passwordHash, input.name, input.email);
    return this.userByUsername(input.username)!;
  }

  private userByUsername(username: string): PlatformUser | undefined {
    const row = this.db.prepare('SELECT id, username, name, email FROM users WHERE username = ?').get(username) as { id: number; username: string; name: string; email: string } | undefined;
    return row && PlatformDb.toUser(row);
  }

  userBySubject(subject: string): PlatformUser | undefined {
    const match = /^platform-user-(\d{1,15})$/.exec(subject);
    if (!match) return undefined;
    const row = this.db.prepare('SELECT id, username, name, email FROM users WHERE id = ?').get(Number(match[1])) as { id: number; username: string; name: string; email: string } | undefined;
    return row && PlatformDb.toUser(row);
  }

  /** The user if the password is right; undefined for a wrong password or an unknown username (same work either way). */
  async checkPassword(username: string, password: string): Promise<PlatformUser | undefined> {
    const row = this.db.prepare('SELECT id, username, name, email, password_hash FROM users WHERE username = ?').get(username) as
      { id: number; username: string; name: string; email: string; password_hash: string } | undefined;
    const ok = await verifyPassword(password, row?.password_hash ?? await DUMMY_HASH);
    return row && ok ? PlatformDb.toUser(row) : undefined;
  }

  /** A new session; only a hash of its id is stored, so a copy of the file does not hold live cookies. */
  createSession(subject: string | null, ttlSeconds: number): { id: string; session: PlatformSession } {
    const id = randomBytes(24).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const userId = subject === null ? null : Number(/^platform-user-(\d+)$/.exec(subject)?.[1]);
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(this.now());
    this.db.prepare('INSERT INTO sessions (id_hash, user_id, csrf, expires_at) VALUES (?, ?, ?, ?)').run(digest(id), userId, csrf, this.now() + ttlSeconds);
    return { id, session: { subject, csrf } };
  }

  session(id: string | undefined): PlatformSession | undefined {
    if (!id || id.length > 64) return undefined;
    const row = this.db.prepare('SELECT user_id, csrf FROM sessions WHERE id_hash = ? AND expires_at > ?').get(digest(id), this.now()) as
      { user_id: number | null; csrf: string } | undefined;
    return row && { subject: row.user_id === null ? null : `platform-user-${row.user_id}`, csrf: row.csrf };
  }

  endSession(id: string | undefined): void {
    if (id) this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(digest(id));
  }

  close(): void {
    this.db.close();
  }
}
