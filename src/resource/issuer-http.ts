// Asking the issuer for JSON (discovery, JWKS, introspection): a bounded wait, and every way it can fail
// turned into IssuerUnreachableError / IssuerMetadataInvalidError with a reason fit for the log.
import { IssuerMetadataInvalidError, IssuerUnreachableError } from './errors.js';
import type { FetchLike } from './types.js';

export interface IssuerHttpOptions {
  fetch: FetchLike;
  timeoutMs: number;
}

export interface JsonResponse {
  status: number;
  /** The parsed body when the status is 2xx; undefined otherwise. */
  body: Record<string, unknown> | undefined;
}

/** Fetches `url`; a non-2xx answer is returned (callers decide), a network failure or non-JSON 2xx throws. */
export async function fetchIssuerJson(http: IssuerHttpOptions, url: string, what: string, init: RequestInit = {}): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await http.fetch(url, {
      ...init,
      headers: { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(http.timeoutMs),
      redirect: 'manual',
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    throw new IssuerUnreachableError(`${what} at ${url} ${timedOut ? `did not answer within ${http.timeoutMs} ms` : 'could not be reached'}`, {
      cause,
      hint: 'check that the issuer URL is right and reachable from this server',
    });
  }
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, body: undefined };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new IssuerMetadataInvalidError(`${what} at ${url} did not answer with JSON`, { cause });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new IssuerMetadataInvalidError(`${what} at ${url} did not answer with a JSON object`);
  }
  return { status: response.status, body: body as Record<string, unknown> };
}

/** The error for an unexpected status. */
export function unexpectedStatus(url: string, what: string, status: number): IssuerUnreachableError {
  return new IssuerUnreachableError(`${what} at ${url} answered HTTP ${status}`);
}
