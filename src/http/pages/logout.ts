// The sign-out pages of RP-Initiated Logout: "Sign out of <product>?" (asked when the request does not prove that the
// signed-in user wants it), and "You are signed out", which loads each client's front-channel logout URI in an
// invisible iframe and, when the client gave a registered post_logout_redirect_uri, goes on there.
import { html } from './html.js';
import { avatar, csrfField, icons } from './components.js';
import type { Page } from './layout.js';

export function renderLogoutConfirmPage(input: {
  csrfToken: string;
  /** The path the form posts back to (the endpoint the request came to). */
  action: string;
  username: string;
  client: { name: string; clientId: string } | undefined;
  hiddenFields: Record<string, string>;
  /** The platform's product name (branding.name). */
  productName: string;
}): Page {
  const hidden = Object.entries(input.hiddenFields)
    .filter(([name]) => name !== 'csrf' && name !== 'decision')
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  const body = html`<div class="hero">
${input.client ? avatar(input.client.name, input.client.clientId, 'large') : html`<span class="status-icon info">${icons.info}</span>`}
<h1>Sign out of ${input.productName}?</h1>
</div>
<p class="message">${input.client ? html`<strong>${input.client.name}</strong> asks to sign you out.` : 'A page asks to sign you out.'} You are signed in as <strong>${input.username}</strong>; signing out also signs you out of the apps you used with this sign-in.</p>
<form class="decision" method="post" action="${input.action}">
${csrfField(input.csrfToken)}
${hidden}
<div class="actions">
<button type="submit" name="decision" value="stay" class="button secondary">Stay signed in</button>
<button type="submit" name="decision" value="logout" class="button primary">Sign out</button>
</div>
</form>`;
  return { title: `Sign out of ${input.productName}?`, body };
}

export function renderSignedOutPage(input: {
  /** Front-channel logout URIs, each loaded in an invisible iframe. */
  frames: string[];
  /** Where to go next (a registered post_logout_redirect_uri with state), if anywhere. */
  next: string | undefined;
  /** The platform's product name (branding.name). */
  productName: string;
  /** The app that asked to sign out, with its home page (client_uri) when it has one: the way back to it. */
  client?: { name: string; clientUri?: string | undefined } | undefined;
}): Page {
  // Time for the frames to load before the browser moves on: the page cannot tell when they have (no JavaScript).
  const head = input.next ? html`<meta http-equiv="refresh" content="2;url=${input.next}">\n` : undefined;
  const backToClient = input.client?.clientUri
    ? html`<a class="button secondary block" href="${input.client.clientUri}">Back to ${input.client.name}</a>`
    : '';
  const body = html`<span class="status-icon info">${icons.success}</span>
<h1>You are signed out</h1>
<p class="message">You have been signed out of ${input.productName}${input.frames.length > 0 ? ' and the apps you used' : ''}.${input.next ? '' : ' You can sign in again whenever you like.'}</p>
${input.next
  ? html`<p class="submit"><a class="button primary block" href="${input.next}">Continue</a></p>`
  : html`<nav class="site-links" aria-label="Where to go next">
<a class="button primary block" href="/login">Sign in again</a>
${backToClient}
</nav>`}
${input.frames.length > 0
  ? html`<div class="logout-frames" aria-hidden="true">
${input.frames.map((uri) => html`<iframe src="${uri}" title="Signing out" tabindex="-1" sandbox="allow-scripts allow-same-origin"></iframe>
`)}</div>`
  : ''}`;
  return { title: 'You are signed out', body, head };
}
