// A minimal browser for tests: keeps cookies, submits the real sign-in and consent forms, and stops at the
// redirect to the client, the way a person in a browser would walk the flow.
export interface FormPage {
  status: number;
  html: string;
  url: string;
}

function hiddenFields(html: string, formAction: string): Record<string, string> {
  return Object.fromEntries(hiddenFieldEntries(html, formAction));
}

/** Every hidden field of the form, in order, a repeated name (`resource`) once per value. */
function hiddenFieldEntries(html: string, formAction: string): Array<[string, string]> {
  const form = new RegExp(`<form[^>]*action="${formAction.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!form) throw new Error(`no form posting to ${formAction} on the page`);
  const fields: Array<[string, string]> = [];
  for (const input of form[1]!.matchAll(/<input[^>]*>/g)) {
    const tag = input[0];
    if (!/type="hidden"/.test(tag)) continue;
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1] ?? '';
    if (name) fields.push([decodeEntities(name), decodeEntities(value)]);
  }
  return fields;
}

function decodeEntities(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export class TestUserAgent {
  readonly cookies = new Map<string, string>();

  /** `fetcher`: how requests are sent (default the global fetch; tls.ts trustingFetch for an https origin with a test CA). */
  constructor(readonly origin: string, private readonly fetcher: (input: string, init: RequestInit) => Promise<Response> = fetch) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> | Array<[string, string]> } = {}): Promise<Response> {
    const absolute = new URL(url, this.origin).href;
    const response = await this.fetcher(absolute, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    this.remember(response);
    return response;
  }

  /** Follows redirects on the Gatehouse origin; returns the first response that is a page or leaves the origin. */
  async navigate(url: string, init: { form?: Record<string, string> | Array<[string, string]> } = {}): Promise<{ response: Response; html: string; location?: string }> {
    let response = await this.request(url, init);
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) break;
      const next = new URL(location, this.origin);
      if (next.origin !== new URL(this.origin).origin) return { response, html: '', location: next.href };
      response = await this.request(next.href);
    }
    return { response, html: await response.text() };
  }

  async signIn(html: string, username: string, password: string) {
    const fields = hiddenFields(html, '/login');
    return this.navigate('/login', { form: { ...fields, username, password } });
  }

  async consent(html: string, decision: 'allow' | 'deny') {
    const fields = hiddenFieldEntries(html, '/oauth2/authorize');
    return this.navigate('/oauth2/authorize', { form: [...fields, ['decision', decision]] });
  }

  /**
   * Walks an authorization URL the way a user would: signs in if asked, answers the consent page if shown,
   * and returns the redirect back to the client.
   */
  async authorize(url: string, user: { username: string; password: string }, decision: 'allow' | 'deny' = 'allow'): Promise<URL> {
    let step = await this.navigate(url);
    for (let pages = 0; pages < 4 && !step.location; pages++) {
      if (step.html.includes('action="/login"') && step.html.includes('name="password"')) {
        step = await this.signIn(step.html, user.username, user.password);
      } else if (step.html.includes('name="decision"')) {
        step = await this.consent(step.html, decision);
      } else {
        throw new Error(`unexpected page (HTTP ${step.response.status}): ${step.html.slice(0, 300)}`);
      }
    }
    if (!step.location) throw new Error('the flow did not redirect back to the client');
    return new URL(step.location);
  }
}

export { hiddenFieldEntries, hiddenFields };
