// An error page for requests that cannot be sent back to a client (bad client_id or redirect_uri).
// It never links to any redirect_uri.
import { html } from './html.js';
import { icons } from './components.js';
import { renderLayout } from './layout.js';

export function renderErrorPage(input: { title: string; message: string; details?: Array<[string, string]> }): string {
  const details = input.details ?? [];
  const body = html`<span class="status-icon error">${icons.warning}</span>
<h1>${input.title}</h1>
<p class="message">${input.message}</p>
${details.length > 0
  ? html`<dl class="details">
${details.map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>
`)}</dl>
`
  : ''}
<p class="hint">If an app sent you here, it may be set up incorrectly. You can close this page and let the app's developer know.</p>`;
  return renderLayout({ title: input.title, body });
}
