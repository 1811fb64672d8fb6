// Users and clients for end-to-end tests, made through the same domain services the CLI uses.
import * as client from 'openid-client';
import type { ClientInput } from '../../src/domain/clients.js';
import type { TestServer } from './server.js';

export const USER = { username: 'alice', password: 'correct horse battery staple' };
export const CALLBACK = 'https://zapier.com/oauth/callback';

export async function createUser(server: TestServer, user = USER, extra: { email?: string; name?: string } = {}) {
  return server.services.accounts.createUser({ ...user, ...extra });
}

export async function createClient(server: TestServer, input: ClientInput) {
  return server.services.clients.create({ name: 'Zapier', redirectUris: [CALLBACK], ...input });
}

/** An openid-client Configuration for a registered client, over plain-http loopback. */
export async function oidcClient(server: TestServer, clientId: string, auth: client.ClientAuth): Promise<client.Configuration> {
  return client.discovery(new URL(server.issuer), clientId, undefined, auth, { execute: [client.allowInsecureRequests] });
}

/** Form POST helper for raw protocol requests. */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
