// Gatehouse's login and consent admin API (ORY Hydra 2.x's wire format) with plain fetch: JSON in and out, GET to
// read a challenge, PUT to answer it. Any language with an HTTP client can do the same; Hydra's SDKs work as-is.

export interface AdminClientInfo {
  client_id: string;
  client_name?: string;
}

export interface LoginRequest {
  challenge: string;
  skip: boolean;
  subject: string;
  client: AdminClientInfo;
  requested_scope: string[];
}

export interface ConsentRequest {
  challenge: string;
  skip: boolean;
  subject: string;
  client: AdminClientInfo;
  requested_scope: string[];
  requested_access_token_audience: string[];
}

/** A non-2xx answer from the admin API (404 unknown or expired, 409 answered, 410 gone, 400 a bad answer). */
export class AdminApiError extends Error {
  constructor(readonly status: number, readonly error: string, readonly description: string) {
    super(`admin API ${status} ${error}: ${description}`);
  }
}

export class AdminClient {
  /** `token`: sent as a Bearer token when Gatehouse has GATEHOUSE_ADMIN_TOKEN and this app is not in GATEHOUSE_LOGIN_APP_ADDRESSES. */
  constructor(private readonly adminUrl: string, private readonly token?: string) {}

  private async call<T>(method: 'GET' | 'PUT', path: string, query: Record<string, string>, body?: object): Promise<T> {
    const url = new URL(path, this.adminUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? JSON.parse(text) as Record<string, unknown> : {};
    } catch {
      // not JSON: reported below by status
    }
    if (!response.ok) throw new AdminApiError(response.status, String(json.error ?? 'error'), String(json.error_description ?? text.slice(0, 200)));
    return json as T;
  }

  getLoginRequest(challenge: string): Promise<LoginRequest> {
    return this.call('GET', '/admin/oauth2/auth/requests/login', { login_challenge: challenge });
  }

  acceptLogin(challenge: string, body: { subject: string; remember?: boolean; remember_for?: number }): Promise<{ redirect_to: string }> {
    return this.call('PUT', '/admin/oauth2/auth/requests/login/accept', { login_challenge: challenge }, body);
  }

  getConsentRequest(challenge: string): Promise<ConsentRequest> {
    return this.call('GET', '/admin/oauth2/auth/requests/consent', { consent_challenge: challenge });
  }

  acceptConsent(challenge: string, body: {
    grant_scope: string[];
    grant_access_token_audience?: string[];
    remember?: boolean;
    remember_for?: number;
    session?: { id_token?: Record<string, unknown>; access_token?: Record<string, unknown> };
  }): Promise<{ redirect_to: string }> {
    return this.call('PUT', '/admin/oauth2/auth/requests/consent/accept', { consent_challenge: challenge }, body);
  }

  rejectConsent(challenge: string, body: { error: string; error_description?: string }): Promise<{ redirect_to: string }> {
    return this.call('PUT', '/admin/oauth2/auth/requests/consent/reject', { consent_challenge: challenge }, body);
  }
}
