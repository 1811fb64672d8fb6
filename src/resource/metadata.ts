// OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that tells a client (an MCP client, an
// integration) which authorization server issues tokens for this API and which scopes it knows, and the
// places it is served. RFC 9728 §3.1 puts the well-known segment between the host and the resource's
// path; clients that ignore the path look at the bare well-known URL, so adapters serve both.

export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceMetadataOptions {
  /** The resource identifier: an absolute http(s) URL without query or fragment, e.g. `https://api.example.com`. */
  resource: string;
  issuer: string;
  scopesSupported?: readonly string[] | undefined;
  resourceDocumentation?: string | undefined;
  resourceName?: string | undefined;
}

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: ['header'];
  resource_documentation?: string;
  resource_name?: string;
}

export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  assertResourceIdentifier(options.resource);
  const metadata: ProtectedResourceMetadata = {
    resource: options.resource,
    authorization_servers: [options.issuer],
    bearer_methods_supported: ['header'],
  };
  if (options.scopesSupported !== undefined) metadata.scopes_supported = [...options.scopesSupported];
  if (options.resourceDocumentation !== undefined) metadata.resource_documentation = options.resourceDocumentation;
  if (options.resourceName !== undefined) metadata.resource_name = options.resourceName;
  return metadata;
}

/** The paths the document is served at: the bare well-known path, and the path-suffixed one when the resource has a path. */
export function protectedResourceMetadataPaths(resource: string): string[] {
  const path = resourcePath(resource);
  return path === '' ? [PROTECTED_RESOURCE_WELL_KNOWN] : [PROTECTED_RESOURCE_WELL_KNOWN, `${PROTECTED_RESOURCE_WELL_KNOWN}${path}`];
}

/** The absolute URL that WWW-Authenticate's `resource_metadata` names (RFC 9728 §3.1, §5.1). */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${resourcePath(resource)}`;
}

/** Throws a TypeError naming what is wrong with a resource identifier (checked once, at start-up). */
export function assertResourceIdentifier(resource: string): void {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new TypeError(`resource ${JSON.stringify(resource)} is not an absolute URL (e.g. "https://api.example.com")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`resource ${JSON.stringify(resource)} must be an http(s) URL`);
  }
  if (url.search !== '' || url.hash !== '' || resource.includes('#')) {
    throw new TypeError(`resource ${JSON.stringify(resource)} must not have a query or fragment (RFC 9728 §1.2)`);
  }
}

/** The resource's path without a terminating slash: '' for `https://api.example.com/`. */
function resourcePath(resource: string): string {
  return new URL(resource).pathname.replace(/\/+$/, '');
}
