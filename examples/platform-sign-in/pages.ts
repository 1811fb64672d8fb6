// The platform's own pages (sign-in, consent, error), in the platform's look, not Gatehouse's. Every value placed
// in the HTML goes through `escape`: client names, scopes and challenges come from outside.

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
*{box-sizing:border-box} input,button{font-family:inherit}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#eef2ff;color:#1e1b4b;line-height:1.5}
main{width:100%;max-width:420px;margin:24px 16px;background:#fff;border-radius:16px;box-shadow:0 10px 30px rgba(30,27,75,.12);padding:32px 28px}
.brand{display:flex;align-items:center;gap:10px;font-weight:700;font-size:1.1rem;color:#4338ca;margin:0 0 20px}
.brand span{display:inline-flex;width:32px;height:32px;border-radius:8px;background:#4338ca;color:#fff;align-items:center;justify-content:center}
h1{font-size:1.35rem;margin:0 0 8px;line-height:1.3} p{margin:0 0 16px} .muted{color:#4b5563;font-size:.95rem}
label{display:block;font-weight:600;margin:0 0 6px}
input[type=text],input[type=password]{width:100%;padding:11px 12px;border:1px solid #c7d2fe;border-radius:10px;font-size:1rem;margin:0 0 16px}
input:focus-visible,button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
button{width:100%;padding:12px 16px;border-radius:10px;border:0;font-size:1rem;font-weight:600;cursor:pointer;background:#4338ca;color:#fff}
.actions{display:flex;gap:12px;margin-top:8px} .actions button{flex:1} button.secondary{background:#fff;color:#3730a3;border:1px solid #a5b4fc}
.error{background:#fef2f2;border:1px solid #fca5a5;color:#991b1b;border-radius:10px;padding:10px 14px}
ul.scopes{list-style:none;padding:0;margin:0 0 20px;border:1px solid #e0e7ff;border-radius:10px}
ul.scopes li{padding:10px 14px;border-bottom:1px solid #e0e7ff} ul.scopes li:last-child{border-bottom:0}
ul.scopes code{color:#6b7280;font-size:.85rem;margin-left:6px}
`;

function layout(platformName: string, title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · ${escape(platformName)}</title><style>${STYLE}</style></head>
<body><main><p class="brand"><span aria-hidden="true">${escape(platformName.slice(0, 1).toUpperCase())}</span>${escape(platformName)}</p>${body}</main></body></html>`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`;

export function loginPage(input: { platformName: string; clientName: string; challenge: string; csrf: string; username?: string; error?: string }): string {
  const error = input.error ? `<p class="error" role="alert">${escape(input.error)}</p>` : '';
  return layout(input.platformName, 'Sign in', `<h1>Sign in to ${escape(input.platformName)} to continue to ${escape(input.clientName)}</h1>
<p class="muted">Use your ${escape(input.platformName)} account. ${escape(input.clientName)} never sees your password.</p>
${error}<form method="post" action="/oauth/login">${hidden('login_challenge', input.challenge)}${hidden('csrf', input.csrf)}
<label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" required value="${escape(input.username ?? '')}">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`);
}

export function consentPage(input: {
  platformName: string; clientName: string; userName: string; challenge: string; csrf: string; scopes: Array<{ scope: string; description: string }>;
}): string {
  const scopes = input.scopes.length > 0
    ? input.scopes.map((s) => `<li>${escape(s.description)}${s.description === s.scope ? '' : `<code>${escape(s.scope)}</code>`}</li>`).join('')
    : '<li>Know who you are</li>';
  return layout(input.platformName, 'Allow access', `<h1>${escape(input.clientName)} wants to use your ${escape(input.platformName)} account</h1>
<p class="muted">Signed in as ${escape(input.userName)}. ${escape(input.clientName)} will be able to:</p>
<ul class="scopes" aria-label="What ${escape(input.clientName)} will be able to do">${scopes}</ul>
<form method="post" action="/oauth/consent">${hidden('consent_challenge', input.challenge)}${hidden('csrf', input.csrf)}
<div class="actions"><button type="submit" name="decision" value="deny" class="secondary">Deny</button><button type="submit" name="decision" value="allow">Allow</button></div></form>`);
}

export function errorPage(platformName: string, title: string, message: string): string {
  return layout(platformName, title, `<h1>${escape(title)}</h1><p class="error" role="alert">${escape(message)}</p>
<p class="muted">Go back to the app you came from and connect again.</p>`);
}

/** "read:leads" → "Read your leads"; other scopes as they are. */
export function describeScope(scope: string): string {
  const known: Record<string, string> = { openid: 'Know who you are', profile: 'See your name', email: 'See your email address', offline_access: 'Keep access while you are away' };
  if (known[scope]) return known[scope];
  const verbNoun = /^([a-z]+):([a-z_-]+)$/.exec(scope);
  if (!verbNoun) return scope;
  const verb = verbNoun[1]!;
  return `${verb.charAt(0).toUpperCase()}${verb.slice(1)} your ${verbNoun[2]!.replace(/[_-]/g, ' ')}`;
}
