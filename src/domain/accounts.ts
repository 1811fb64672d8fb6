// Users (argon2id passwords) and their sign-in sessions (the cookie holds a random id; the store only its hash).
import type { AdminStore } from '../store/administration.js';
import type { InteractionStore } from '../store/interactions.js';
import type { SessionRecord, UserRecord } from '../store/types.js';
import { randomId, randomToken, sha256Hex } from './crypto.js';
import { controlCharacterIn, controlOrSpaceIn } from '../util/text.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { DEFAULT_PASSWORD_CHECK_QUEUE, defaultPasswordCheckConcurrency, PasswordCheckLimit } from './password-check-limit.js';
import { Argon2Threads, type Argon2Options, type PasswordHasher } from './argon2-threads.js';

export class AccountInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountInputError';
  }
}

const USERNAME = /^[A-Za-z0-9._@+-]{1,64}$/;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;
// Algorithm 2 is argon2id in @node-rs/argon2; OWASP's recommended minimum cost (19 MiB, 2 passes).
const ARGON2_OPTIONS: Argon2Options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function validateUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw new AccountInputError('a username must be 1-64 characters of letters, digits, ".", "_", "@", "+" or "-"');
  }
}

/** A display name (the "name" claim): any text but control characters, which would end up in pages and tokens. */
export function validateDisplayName(name: string): void {
  const bad = controlCharacterIn(name);
  if (bad) throw new AccountInputError(`a name must not contain control characters (found ${bad})`);
  if (name.trim() === '') throw new AccountInputError('a name must not be blank');
}

/** An email (the "email" claim): local@domain with no controls or whitespace; deliverability is not checked. */
export function validateEmail(email: string): void {
  const bad = controlOrSpaceIn(email);
  if (bad) throw new AccountInputError(`an email must not contain control or whitespace characters (found ${bad})`);
  if (email.length > 320 || !/^[^@]+@[^@]+$/.test(email)) {
    throw new AccountInputError(`an email must look like name@example.com, got ${JSON.stringify(email.slice(0, 100))}`);
  }
}

export function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD) throw new AccountInputError(`a password must be at least ${MIN_PASSWORD} characters`);
  if (password.length > MAX_PASSWORD) throw new AccountInputError(`a password must be at most ${MAX_PASSWORD} characters`);
}

export class AccountService {
  // Verified against when the username is unknown, so a wrong username costs the same time as a wrong password.
  private dummyHash: Promise<string> | undefined;

  constructor(
    /** Sign-in sessions (interaction) and the user records they stand on (administration). */
    private readonly store: InteractionStore & AdminStore,
    private readonly clock: Clock,
    // Every argon2 call goes through it (few at once, a bounded queue, a rest after each), so a sign-in flood
    // cannot take the CPU from the token endpoint.
    readonly argon2Limit = new PasswordCheckLimit({ concurrency: defaultPasswordCheckConcurrency(), queue: DEFAULT_PASSWORD_CHECK_QUEUE }),
    // On low-priority threads of its own, not libuv's pool: the token endpoint's signatures go first.
    private readonly argon2: PasswordHasher = new Argon2Threads(),
  ) {}

  async createUser(input: { username: string; password: string; name?: string; email?: string }): Promise<UserRecord> {
    validateUsername(input.username);
    if (input.name !== undefined) validateDisplayName(input.name);
    if (input.email !== undefined) validateEmail(input.email);
    validatePassword(input.password);
    const user: UserRecord = {
      id: `user_${randomId()}`,
      username: input.username,
      passwordHash: await this.argon2Limit.runAlways(() => this.argon2.hash(input.password, ARGON2_OPTIONS)),
      name: input.name ?? null,
      email: input.email ?? null,
      createdAt: epochSeconds(this.clock),
      external: false,
    };
    await this.store.createUser(user);
    return user;
  }

  async setPassword(username: string, password: string): Promise<void> {
    validatePassword(password);
    const user = await this.store.getUserByUsername(username);
    if (!user) throw new AccountInputError(`no user named "${username}"`);
    if (user.external) throw new AccountInputError(`"${username}" is a subject of the platform's own sign-in: it has no password in Gatehouse`);
    await this.store.setUserPassword(user.id, await this.argon2Limit.runAlways(() => this.argon2.hash(password, ARGON2_OPTIONS)));
    // Whoever was signed in with the old password (perhaps the reason for the change) is signed out everywhere.
    // Their clients are told by back channel: the deliveries are queued here and sent by a running server.
    await this.store.deleteUserSessions(user.id, epochSeconds(this.clock));
  }

  /**
   * The user when username and password match; undefined otherwise, without saying which was wrong.
   * Throws PasswordChecksBusyError at once when too many checks are already waiting.
   */
  async checkPassword(username: string, password: string): Promise<UserRecord | undefined> {
    if (password.length > MAX_PASSWORD || username.length > 64) return undefined;
    return this.argon2Limit.run(async () => {
      const user = await this.store.getUserByUsername(username);
      // A subject the platform signed in has no password here: it signs in only through the platform's page.
      if (!user || user.external) {
        this.dummyHash ??= this.argon2.hash(randomToken(), ARGON2_OPTIONS);
        await this.argon2.verify(await this.dummyHash, password);
        return undefined;
      }
      const ok = await this.argon2.verify(user.passwordHash, password);
      return ok ? user : undefined;
    });
  }

  /**
   * Starts a session and returns the value for the cookie; `authTime` keeps an earlier sign-in's time (a session
   * extended). The session also gets a public id (`sid`), random and unrelated to the cookie value, which ID tokens
   * and logout notifications name.
   */
  async startSession(userId: string, ttlSeconds: number, authTime?: number): Promise<{ cookieValue: string; session: SessionRecord }> {
    const cookieValue = randomToken();
    const now = epochSeconds(this.clock);
    const session: SessionRecord = { idHash: sha256Hex(cookieValue), userId, authTime: authTime ?? now, expiresAt: now + ttlSeconds, sid: randomId() };
    await this.store.createSession(session);
    return { cookieValue, session };
  }

  /** The live session and its user for a cookie value, if any. */
  async resolveSession(cookieValue: string | undefined): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
    if (!cookieValue || cookieValue.length > 100) return undefined;
    const session = await this.store.getSession(sha256Hex(cookieValue));
    if (!session || session.expiresAt <= epochSeconds(this.clock)) return undefined;
    const user = await this.store.getUserById(session.userId);
    return user ? { session, user } : undefined;
  }

  /**
   * The user a subject accepted by the platform's login page stands for: a Gatehouse user with that id, or else the
   * subject's external user row, made on first sight (no password, never signs in here; its `sub` is the subject).
   */
  async subjectUser(subject: string): Promise<UserRecord> {
    const existing = await this.store.getUserById(subject);
    if (existing) return existing;
    const user: UserRecord = {
      id: subject,
      // Local usernames cannot contain ":", so this never collides with one.
      username: `external:${subject}`,
      passwordHash: '',
      name: null,
      email: null,
      createdAt: epochSeconds(this.clock),
      external: true,
    };
    await this.store.ensureExternalUser(user);
    return (await this.store.getUserById(subject)) ?? user;
  }
}
