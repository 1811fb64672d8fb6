// A plain message page ("You have been signed out").
import { html } from './html.js';
import { icons } from './components.js';
import type { Page } from './layout.js';

export function renderMessagePage(input: { title: string; message: string; tone?: 'info' | 'success' }): Page {
  const tone = input.tone ?? 'info';
  const body = html`<span class="status-icon ${tone}">${tone === 'success' ? icons.success : icons.info}</span>
<h1>${input.title}</h1>
<p class="message">${input.message}</p>`;
  return { title: input.title, body };
}
