// What a client says about itself for its users: logo_uri, client_uri, policy_uri, tos_uri (RFC 7591 §2), as the
// pages show them. Read from the client record when it carries them (the registration work adds them to it) and
// only when each is an absolute http(s) URL: anything else would be a link or image source of the client's choosing.
export interface ClientLinks {
  logoUri?: string;
  clientUri?: string;
  policyUri?: string;
  tosUri?: string;
}

const FIELDS = ['logoUri', 'clientUri', 'policyUri', 'tosUri'] as const;

function webUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function clientLinks(client: object | undefined): ClientLinks {
  const out: ClientLinks = {};
  if (!client) return out;
  for (const field of FIELDS) {
    const url = webUrl((client as Record<string, unknown>)[field]);
    if (url !== undefined) out[field] = url;
  }
  return out;
}
