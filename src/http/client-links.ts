// What a client says about itself for its users: logo_uri, client_uri, policy_uri, tos_uri (RFC 7591 §2), as the
// pages show them. The client rules already accept only https (http on loopback) URLs; checked again here because
// each becomes a link or an image source on a page, whatever wrote the row.
import type { ClientRecord } from '../store/types.js';

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

export function clientLinks(client: Pick<ClientRecord, (typeof FIELDS)[number]> | undefined): ClientLinks {
  const out: ClientLinks = {};
  if (!client) return out;
  for (const field of FIELDS) {
    const url = webUrl(client[field]);
    if (url !== undefined) out[field] = url;
  }
  return out;
}
