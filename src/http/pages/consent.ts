// The consent page: "<App> wants to access your account, <user>" and what it will be able to do, with Allow / Deny, posted back to /oauth2/authorize, or, for a device
// (RFC 8628), to the device verification page, naming the code the device shows instead of where the user returns.
import { html } from './html.js';
import { accountBar, avatar, csrfField, icons } from './components.js';
import type { Page } from './layout.js';

export function renderConsentPage(input: {
  csrfToken: string;
  clientName: string;
  clientId: string;
  username: string;
  scopes: Array<{ scope: string; description: string }>;
  hiddenFields: Record<string, string | string[]>;
  /** The resources (RFC 8707) the access will be for: "… on Leads API". */
  resources?: string[];
  /** A client that described itself (metadata document, dynamic registration): the host it comes from, shown as not verified. */
  unverifiedHost?: string | undefined;
  /** What the client says about itself (client-links.ts): its logo replaces the initial, the links go under its name. */
  logoUri?: string | undefined;
  clientUri?: string | undefined;
  policyUri?: string | undefined;
  tosUri?: string | undefined;
} & ({ redirectHost: string; device?: undefined } | { device: { userCode: string; action: string } })): Page {
  const { clientName } = input;
  const asks = input.scopes.length > 0;
  const hidden = Object.entries(input.hiddenFields)
    .filter(([name]) => name !== 'csrf' && name !== 'decision')
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => html`<input type="hidden" name="${name}" value="${item}">`));
  const on = input.resources?.length ? html`<p class="resources">on ${input.resources.map((name, i) => html`${i > 0 ? ', ' : ''}<strong>${name}</strong>`)}</p>` : '';

  const links = [
    input.clientUri ? html`<a href="${input.clientUri}">About ${clientName}</a>` : '',
    input.policyUri ? html`<a href="${input.policyUri}">Privacy policy</a>` : '',
    input.tosUri ? html`<a href="${input.tosUri}">Terms of service</a>` : '',
  ].filter((link) => link !== '');
  // The logo is decorative: the heading names the app.
  const body = html`<div class="hero">
${input.logoUri ? html`<img class="logo" src="${input.logoUri}" alt="">` : avatar(clientName, input.clientId, 'large')}
<h1 id="consent-title">${asks ? html`${clientName} wants to access your account, ${input.username}` : html`${clientName} wants to confirm who you are`}</h1>
${asks ? '' : html`<p class="account-name">You're signed in as <strong>${input.username}</strong></p>`}
${links.length > 0 ? html`<p class="client-links">${links}</p>` : ''}
</div>
${input.unverifiedHost
  ? html`<p class="unverified" role="note">This app comes from <strong>${input.unverifiedHost}</strong>. It described itself and has not been verified by this platform: allow only if you trust ${input.unverifiedHost}.</p>`
  : ''}
${asks
  ? html`<p class="lede asks" id="consent-asks">It will be able to:</p>
<ul class="scopes" aria-labelledby="consent-asks">
${input.scopes.map((s) => html`<li data-scope="${s.scope}">${icons.check}<span>${s.description}</span></li>
`)}</ul>`
  : ''}
${on}
${input.device
  ? html`<p class="note">This connects the device showing the code <strong class="user-code">${input.device.userCode}</strong>. Allow only if you started this on your own device and the codes match. You can revoke access anytime in <a href="/account/apps">Connected apps</a>.</p>`
  : html`<p class="note">You'll be sent back to <strong>${input.redirectHost}</strong>. You can revoke access anytime in <a href="/account/apps">Connected apps</a>.</p>`}
<form class="decision" method="post" action="${input.device ? input.device.action : '/oauth2/authorize'}">
${csrfField(input.csrfToken)}
${hidden}
<div class="actions">
<button type="submit" name="decision" value="deny" class="button secondary">Deny</button>
<button type="submit" name="decision" value="allow" class="button primary">Allow</button>
</div>
</form>
${accountBar(input.username, input.csrfToken)}`;

  return { title: asks ? `${clientName} wants access` : `${clientName} wants to confirm who you are`, body };
}
