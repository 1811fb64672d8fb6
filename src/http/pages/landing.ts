// The root page: a plain landing page for a person who arrives at the server's address, with the links they can use.
import { html } from './html.js';
import { icons } from './components.js';
import type { Page } from './layout.js';

export function renderLandingPage(input: { name: string }): Page {
  const body = html`<span class="status-icon info">${icons.info}</span>
<h1>${input.name} sign-in</h1>
<p class="message">This is where you sign in to ${input.name} and decide which apps may use your account.</p>
<nav class="site-links" aria-label="Your account">
<a class="button primary block" href="/account/apps">See your connected apps</a>
<a class="button secondary block" href="/login">Sign in</a>
</nav>`;
  return { title: 'Welcome', body };
}
