// The device verification page (RFC 8628 §3.3): the user types the code their device shows; posted to
// /oauth2/device/verify with user_code and csrf.
import { html } from './html.js';
import { csrfField, icons } from './components.js';
import type { Page } from './layout.js';

export function renderDeviceCodePage(input: { csrfToken: string; action: string; userCode?: string; error?: string }): Page {
  const invalid = input.error !== undefined;
  const body = html`<h1>Connect a device</h1>
<p class="lede">Enter the code shown on your device.</p>
${invalid ? html`<div class="alert error" role="alert" id="user-code-error">${icons.alert}<p>${input.error}</p></div>` : ''}
<form method="post" action="${input.action}">
${csrfField(input.csrfToken)}
<div class="field">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" autocomplete="one-time-code" autocapitalize="characters" autocorrect="off" spellcheck="false" maxlength="32" placeholder="XXXX-XXXX" required autofocus value="${input.userCode ?? ''}"${invalid ? html` aria-invalid="true" aria-describedby="user-code-error"` : ''}>
</div>
<div class="submit"><button type="submit" class="button primary block">Continue</button></div>
</form>`;
  return { title: 'Connect a device', body };
}
