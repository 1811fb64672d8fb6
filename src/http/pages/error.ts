// An error page for requests that cannot be sent back to a client (bad client_id or redirect_uri), and other
// failures a person meets. It speaks to that person; the app's developer gets one short line, and the full
// detail (which may list a client's registered redirect URIs) goes to the log only. It never links to any redirect_uri.
import { html } from './html.js';
import { icons } from './components.js';
import type { Page } from './layout.js';

export function renderErrorPage(input: {
  title: string;
  /** What happened and what to do, for the person reading. */
  message: string;
  /** One line for the developer of the app that sent the person here (already free of registered URIs). */
  developerNote?: string | undefined;
  /** The request's id, so the operator can find the logged detail. */
  reference?: string | undefined;
}): Page {
  const body = html`<span class="status-icon error">${icons.warning}</span>
<h1>${input.title}</h1>
<p class="message">${input.message}</p>
<p class="hint">If an app sent you here, go back to it and try again. If it keeps happening, the app may be set up incorrectly: let its developer know.</p>
${input.developerNote
  ? html`<p class="dev-note"><strong>For the app's developer:</strong> ${input.developerNote}${input.reference ? html` (reference ${input.reference})` : ''}</p>`
  : ''}`;
  return { title: input.title, body };
}
