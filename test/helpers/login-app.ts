// A platform's login and consent app, written against Hydra's official SDK (@ory/hydra-client-fetch) the way
// apps written for Hydra are: it reads each challenge from the admin API and accepts or rejects it. Tests swap its
// policies; every request it read is recorded so a test can see what Gatehouse handed over.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Configuration,
  OAuth2Api,
  type AcceptOAuth2ConsentRequest,
  type AcceptOAuth2LoginRequest,
  type OAuth2ConsentRequest,
  type OAuth2LoginRequest,
  type OAuth2LogoutRequest,
  type RejectOAuth2Request,
} from '@ory/hydra-client-fetch';

export type LoginAnswer = { accept: AcceptOAuth2LoginRequest } | { reject: RejectOAuth2Request };
export type ConsentAnswer = { accept: AcceptOAuth2ConsentRequest } | { reject: RejectOAuth2Request };

export const PLATFORM_SUBJECT = 'platform-user-42';

/** Hydra's usual app: a skipped login is accepted for its subject; otherwise the platform's user signs in and is remembered. */
export const defaultLogin = (request: OAuth2LoginRequest): LoginAnswer =>
  request.skip ? { accept: { subject: request.subject } } : { accept: { subject: PLATFORM_SUBJECT, remember: true, remember_for: 3600, acr: 'urn:platform:mfa', amr: ['pwd', 'otp'] } };

/** Grants what was asked, remembers it, and says who the user is in the ID token. */
export const defaultConsent = (request: OAuth2ConsentRequest): ConsentAnswer => ({
  accept: {
    grant_scope: request.requested_scope,
    grant_access_token_audience: request.requested_access_token_audience,
    remember: !request.skip,
    remember_for: 3600,
    session: {
      id_token: { email: 'dana@platform.example', name: 'Dana Platform' },
      access_token: { tenant: 'acme' },
    },
  },
});

export class LoginApp {
  readonly logins: OAuth2LoginRequest[] = [];
  readonly consents: OAuth2ConsentRequest[] = [];
  readonly logouts: OAuth2LogoutRequest[] = [];
  /** What the user types on the platform's device page (device verification). */
  deviceUserCode = '';
  readonly devicePages: string[] = [];
  /** Whether the platform's sign-out page lets the user sign out (true) or keeps them signed in. */
  onLogout: (request: OAuth2LogoutRequest) => boolean = () => true;
  onLogin: (request: OAuth2LoginRequest) => LoginAnswer = defaultLogin;
  onConsent: (request: OAuth2ConsentRequest) => ConsentAnswer = defaultConsent;
  /** Set once Gatehouse runs: the app only knows the admin URL (as a Hydra app would). */
  adminUrl = '';
  /** Headers sent with every admin call (none, as Hydra apps send; a test may add an admin token). */
  headers: Record<string, string> = {};
  private server: Server | undefined;
  url = '';

  api(): OAuth2Api {
    return new OAuth2Api(new Configuration({ basePath: this.adminUrl, headers: this.headers }));
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request.url ?? '/').then(
        (location) => {
          response.writeHead(302, { location });
          response.end();
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`login app: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The page the browser lands on: read the challenge, answer it, send the browser where Gatehouse said. */
  private async handle(path: string): Promise<string> {
    const url = new URL(path, 'http://app.invalid');
    const api = this.api();
    if (url.pathname === '/login') {
      const loginChallenge = url.searchParams.get('login_challenge') ?? '';
      const request = await api.getOAuth2LoginRequest({ loginChallenge });
      this.logins.push(request);
      const answer = this.onLogin(request);
      const done = 'accept' in answer
        ? await api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: answer.accept })
        : await api.rejectOAuth2LoginRequest({ loginChallenge, rejectOAuth2Request: answer.reject });
      return done.redirect_to;
    }
    if (url.pathname === '/consent') {
      const consentChallenge = url.searchParams.get('consent_challenge') ?? '';
      const request = await api.getOAuth2ConsentRequest({ consentChallenge });
      this.consents.push(request);
      const answer = this.onConsent(request);
      const done = 'accept' in answer
        ? await api.acceptOAuth2ConsentRequest({ consentChallenge, acceptOAuth2ConsentRequest: answer.accept })
        : await api.rejectOAuth2ConsentRequest({ consentChallenge, rejectOAuth2Request: answer.reject });
      return done.redirect_to;
    }
    if (url.pathname === '/device') {
      const deviceChallenge = url.searchParams.get('device_challenge') ?? '';
      this.devicePages.push(deviceChallenge);
      return (await api.acceptUserCodeRequest({ deviceChallenge, acceptDeviceUserCodeRequest: { user_code: this.deviceUserCode } })).redirect_to;
    }
    if (url.pathname === '/logout') {
      const logoutChallenge = url.searchParams.get('logout_challenge') ?? '';
      const request = await api.getOAuth2LogoutRequest({ logoutChallenge });
      this.logouts.push(request);
      if (this.onLogout(request)) return (await api.acceptOAuth2LogoutRequest({ logoutChallenge })).redirect_to;
      await api.rejectOAuth2LogoutRequest({ logoutChallenge });
      return `${this.url}/still-signed-in`;
    }
    throw new Error(`no page ${url.pathname}`);
  }

  /** The environment that points Gatehouse at this app's pages. */
  env(): Record<string, string> {
    return { GATEHOUSE_LOGIN_URL: `${this.url}/login`, GATEHOUSE_CONSENT_URL: `${this.url}/consent`, GATEHOUSE_LOGOUT_URL: `${this.url}/logout`, GATEHOUSE_DEVICE_VERIFICATION_URL: `${this.url}/device` };
  }

  reset(): void {
    this.logins.length = 0;
    this.consents.length = 0;
    this.logouts.length = 0;
    this.devicePages.length = 0;
    this.deviceUserCode = '';
    this.onLogout = () => true;
    this.onLogin = defaultLogin;
    this.onConsent = defaultConsent;
    this.headers = {};
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
