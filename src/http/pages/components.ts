// Pieces shared by the pages: icons, the app avatar, the CSRF field and the sign-out form.
import { html, unsafeRaw, type SafeHtml } from './html.js';

const svg = (body: string, extra = ''): SafeHtml =>
  unsafeRaw(
    `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"${extra}>${body}</svg>`,
  );

export const icons = {
  logo: svg('<path d="M12 2.5 4.5 5.5v5.7c0 4.7 3.1 8.8 7.5 10.3 4.4-1.5 7.5-5.6 7.5-10.3V5.5L12 2.5z"/><path d="M9 21v-6.5a3 3 0 0 1 6 0V21"/>'),
  check: svg('<path d="M4.5 12.5 9.5 17.5 19.5 6.5"/>', ' stroke-width="2.5"'),
  alert: svg('<circle cx="12" cy="12" r="9.5"/><path d="M12 7.5v5.5"/><path d="M12 16.5h.01" stroke-width="2.75"/>'),
  warning: svg('<path d="M10.3 3.9 1.9 18.2A2 2 0 0 0 3.6 21h16.8a2 2 0 0 0 1.7-2.8L13.7 3.9a2 2 0 0 0-3.4 0z"/><path d="M12 9v4.5"/><path d="M12 17.2h.01" stroke-width="2.75"/>'),
  info: svg('<circle cx="12" cy="12" r="9.5"/><path d="M12 11v5.5"/><path d="M12 7.6h.01" stroke-width="2.75"/>'),
  success: svg('<circle cx="12" cy="12" r="9.5"/><path d="M7.5 12.5 10.5 15.5 16.5 9"/>'),
};

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  // Final mix so the low bits (used for the colour) depend on every character.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** A decorative square with the app's initial, coloured by its client id (stable per app). */
export function avatar(name: string, seed: string, size: 'normal' | 'large' = 'normal'): SafeHtml {
  const initial = (Array.from(name.trim())[0] ?? '?').toUpperCase();
  const classes = `avatar c${hash(seed || name) % 8}${size === 'large' ? ' large' : ''}`;
  return html`<span class="${classes}" aria-hidden="true">${initial}</span>`;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

/** "Signed in as demo" with a small sign-out form (POST /logout). */
export function accountBar(username: string, csrfToken: string): SafeHtml {
  return html`<div class="account">
<p>Signed in as <strong>${username}</strong></p>
<form method="post" action="/logout">${csrfField(csrfToken)}<button type="submit" class="button secondary small">Sign out</button></form>
</div>`;
}
