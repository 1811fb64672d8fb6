// Connected apps (/account/apps): every app with access to the account, what it can do, and a revoke button.
import { html } from './html.js';
import { accountBar, avatar, csrfField, icons } from './components.js';
import { formatLifetime, formatRelative, formatUtc, isoUtc } from './format.js';
import type { Page } from './layout.js';

export interface ConnectedApp {
  clientId: string;
  clientName: string;
  scopes: Array<{ scope: string; description: string }>;
  /** Epoch seconds. */
  connectedAt: number;
  /** Epoch seconds; 0 when the app has not used its access yet. */
  lastUsedAt: number;
  /** The APIs (RFC 8707 resources) the access is for, by name; empty when it is for the default audience. */
  resources?: string[];
  /** The app's access-token lifetime: how long access it already holds may outlast a revocation. */
  accessTokenTtlSeconds?: number;
}

export function renderConnectedAppsPage(input: {
  csrfToken: string;
  username: string;
  notice?: string;
  apps: ConnectedApp[];
  /** Epoch seconds (the server's clock) used for "3 hours ago". */
  now: number;
}): Page {
  const { now } = input;

  const app = (a: ConnectedApp) => {
    const headingId = `app-${a.clientId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const lastUsed = a.lastUsedAt > 0
      ? html`Last used <time datetime="${isoUtc(a.lastUsedAt)}" title="${formatUtc(a.lastUsedAt)}">${formatRelative(a.lastUsedAt, now)}</time>`
      : html`Not used yet`;
    return html`<li class="app" aria-labelledby="${headingId}">
<div class="app-head">
${avatar(a.clientName, a.clientId)}
<div><h2 id="${headingId}">${a.clientName}</h2>
<p class="meta">Connected <time datetime="${isoUtc(a.connectedAt)}" data-local>${formatUtc(a.connectedAt)}</time></p></div>
</div>
${a.scopes.length > 0
  ? html`<ul class="scopes" aria-label="What ${a.clientName} can do">
${a.scopes.map((s) => html`<li data-scope="${s.scope}">${icons.check}<span>${s.description}</span></li>
`)}</ul>`
  : html`<ul class="scopes" aria-label="What ${a.clientName} can do"><li>${icons.check}<span>Confirm who you are</span></li></ul>`}
${a.resources?.length ? html`<p class="meta resources">on ${a.resources.map((name, i) => html`${i > 0 ? ', ' : ''}<strong>${name}</strong>`)}</p>` : ''}
${a.accessTokenTtlSeconds !== undefined
  ? html`<p class="meta revoke-note">If you revoke access, ${a.clientName} can't get new access, but access it already holds may keep working for up to ${formatLifetime(a.accessTokenTtlSeconds)}.</p>`
  : ''}
<div class="app-foot">
<p class="meta">${lastUsed}</p>
<form method="post" action="/account/apps/${encodeURIComponent(a.clientId)}/revoke">${csrfField(input.csrfToken)}<button type="submit" class="button danger small" aria-label="Revoke access for ${a.clientName}">Revoke access</button></form>
</div>
</li>
`;
  };

  const body = html`<div class="page-head">
<h1>Connected apps</h1>
<p class="lede">Apps you've allowed to use your account. Revoking an app stops it from getting new access right away; it would have to ask you again.</p>
</div>
${input.notice ? html`<div class="alert success" role="status">${icons.success}<p>${input.notice}</p></div>` : ''}
${input.apps.length > 0
  ? html`<ul class="apps">
${input.apps.map(app)}</ul>`
  : html`<div class="empty"><p><strong>No apps have access to your account.</strong></p><p class="muted small">When you allow an app to use your account, it shows up here.</p></div>`}
${accountBar(input.username, input.csrfToken)}`;

  return { title: 'Connected apps', body, width: 'wide', localTimes: true };
}

/** "Revoke access for Zapier?": the step the list's Revoke button leads to; its form revokes (confirm=yes). */
export function renderRevokeConfirmPage(input: {
  csrfToken: string;
  clientId: string;
  clientName: string;
  accessTokenTtlSeconds?: number | undefined;
}): Page {
  const { clientName } = input;
  const body = html`<div class="hero">
${avatar(clientName, input.clientId, 'large')}
<h1>Revoke access for ${clientName}?</h1>
</div>
<p class="message">${clientName} will no longer be able to use your account. To use it with ${clientName} again, you would connect it again from the app.${input.accessTokenTtlSeconds !== undefined
  ? ` Access it already holds may keep working for up to ${formatLifetime(input.accessTokenTtlSeconds)}.`
  : ''}</p>
<form class="decision" method="post" action="/account/apps/${encodeURIComponent(input.clientId)}/revoke">
${csrfField(input.csrfToken)}
<input type="hidden" name="confirm" value="yes">
<div class="actions">
<a class="button secondary" href="/account/apps">Cancel</a>
<button type="submit" class="button danger">Revoke access</button>
</div>
</form>`;
  return { title: `Revoke access for ${clientName}?`, body };
}
