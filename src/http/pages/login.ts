// The sign-in page: POST /login with username, password, csrf and return_to.
import { html } from './html.js';
import { icons } from './components.js';
import type { Page } from './layout.js';

export function renderLoginPage(input: {
  csrfToken: string;
  returnTo: string;
  clientName?: string;
  error?: string;
  username?: string;
}): Page {
  const invalid = input.error ? 'true' : false;
  const body = html`<h1>Sign in</h1>
${input.clientName ? html`<p class="lede">to continue to <strong>${input.clientName}</strong></p>` : ''}
${input.error ? html`<div class="alert error" role="alert" id="login-error">${icons.alert}<p>${input.error}</p></div>` : ''}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<input type="hidden" name="return_to" value="${input.returnTo}">
<div class="field">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" autocorrect="off" spellcheck="false" required autofocus value="${input.username ?? ''}"${ariaInvalid(invalid)}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${ariaInvalid(invalid)}>
</div>
<div class="submit"><button type="submit" class="button primary block">Sign in</button></div>
</form>`;
  return { title: input.clientName ? `Sign in to continue to ${input.clientName}` : 'Sign in', body };
}

function ariaInvalid(invalid: string | false) {
  return invalid ? html` aria-invalid="true" aria-describedby="login-error"` : '';
}
