// The integration app's memory of who is connected: one entry per browser session, kept in this process only.
import { randomBytes } from 'node:crypto';

export interface Connection {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: number;
}

export interface PendingAuthorization {
  state: string;
  codeVerifier: string;
}

export interface BrowserSession {
  pending?: PendingAuthorization;
  connection?: Connection;
  /** A message to show once on the home page. */
  flash?: string;
}

const MAX_SESSIONS = 10_000;

export class SessionStore {
  private readonly sessions = new Map<string, BrowserSession>();

  create(): { id: string; session: BrowserSession } {
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(24).toString('base64url');
    const session: BrowserSession = {};
    this.sessions.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): BrowserSession | undefined {
    return id ? this.sessions.get(id) : undefined;
  }
}
