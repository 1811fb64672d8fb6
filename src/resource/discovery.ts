// The issuer's metadata (RFC 8414, falling back to OpenID Connect Discovery): fetched once, on first use,
// shared by concurrent callers, kept for the life of the process. A failure is not kept: the next request
// asks again. The `issuer` it names must equal the configured one (RFC 8414 §3.3), or nothing it says is used.
import { IssuerMetadataInvalidError } from './errors.js';
import { fetchIssuerJson, unexpectedStatus, type IssuerHttpOptions } from './issuer-http.js';

export interface IssuerMetadata {
  issuer: string;
  jwksUri: string | undefined;
  introspectionEndpoint: string | undefined;
}

/** Where to look, in order: RFC 8414 §3.1 (well-known inserted before the issuer's path), then OIDC (appended). */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  const oauth = `${url.origin}/.well-known/oauth-authorization-server${path}`;
  const oidc = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  return oauth === oidc ? [oauth] : [oauth, oidc];
}

export class IssuerDiscovery {
  private metadata: IssuerMetadata | undefined;
  private pending: Promise<IssuerMetadata> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly http: IssuerHttpOptions,
  ) {}

  get(): Promise<IssuerMetadata> {
    if (this.metadata) return Promise.resolve(this.metadata);
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async load(): Promise<IssuerMetadata> {
    const urls = discoveryUrls(this.issuer);
    let lastStatus = 0;
    let lastUrl = '';
    for (const url of urls) {
      const { status, body } = await fetchIssuerJson(this.http, url, 'issuer metadata');
      if (body === undefined) {
        lastStatus = status;
        lastUrl = url;
        continue;
      }
      this.metadata = this.validate(url, body);
      return this.metadata;
    }
    throw unexpectedStatus(lastUrl, 'issuer metadata', lastStatus);
  }

  private validate(url: string, body: Record<string, unknown>): IssuerMetadata {
    if (body.issuer !== this.issuer) {
      throw new IssuerMetadataInvalidError(
        `issuer metadata at ${url} names issuer ${JSON.stringify(body.issuer)}, not the configured ${JSON.stringify(this.issuer)}`,
        { hint: 'set `issuer` to exactly the value the authorization server publishes (scheme, host, port, trailing slash)' },
      );
    }
    return {
      issuer: this.issuer,
      jwksUri: optionalUrl(body.jwks_uri, 'jwks_uri', url),
      introspectionEndpoint: optionalUrl(body.introspection_endpoint, 'introspection_endpoint', url),
    };
  }
}

function optionalUrl(value: unknown, name: string, source: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    try {
      return new URL(value).href;
    } catch {
      // fall through
    }
  }
  throw new IssuerMetadataInvalidError(`issuer metadata at ${source} has a ${name} that is not a URL`);
}
