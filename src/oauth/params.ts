// Reading OAuth parameters from a parsed query or form: each must appear at most once and not be oversized.
// `resource` (RFC 8707 §2) is the one exception: it may repeat, and only `list('resource')` reads it.
import type { RequestParams } from '../store/types.js';
import { controlCharacterIn } from '../util/text.js';
import { InvalidRequest } from './errors.js';

export type RawParams = Record<string, unknown>;

export const MAX_PARAM_LENGTH = 4096;

/** The parameters that may be sent more than once, and how many times at most. */
const REPEATABLE: Readonly<Record<string, number>> = { resource: 10 };

export class Params {
  /** Set once checkAll() passed: every value is then known to be valid, and reads skip the checks. */
  private allChecked = false;

  constructor(private readonly raw: RawParams) {}

  /** The single value of a parameter, or undefined when absent; empty counts as absent (RFC 6749 §3.1). */
  optional(name: string): string | undefined {
    if (Object.hasOwn(REPEATABLE, name)) throw new Error(`${name} may repeat: read it with list()`);
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (!this.allChecked) check(name, value);
    return value === '' ? undefined : (value as string);
  }

  required(name: string, hint = ''): string {
    const value = this.optional(name);
    if (value === undefined) throw new InvalidRequest(`${name} is required${hint ? `: ${hint}` : ''}`);
    return value;
  }

  /** Every value of a repeatable parameter, in order, without duplicates or empty values; [] when absent. */
  list(name: string): string[] {
    const value = this.raw[name];
    if (value === undefined || value === null) return [];
    if (!this.allChecked) check(name, value);
    const values = typeof value === 'string' ? [value] : (value as string[]);
    return [...new Set(values.filter((item) => item !== ''))];
  }

  /** Throws when any parameter is repeated or oversized, so the whole request is checked, not just what is read. */
  checkAll(): void {
    for (const name in this.raw) {
      const value = this.raw[name];
      if (value !== undefined && value !== null) check(name, value);
    }
    this.allChecked = true;
  }

  /** The parameters as sent (checked), a repeatable one as a list when it was sent more than once. */
  toRecord(): RequestParams {
    const out: RequestParams = {};
    for (const name of Object.keys(this.raw)) {
      if (Object.hasOwn(REPEATABLE, name)) {
        const values = this.list(name);
        if (values.length) out[name] = values.length === 1 ? values[0]! : values;
        continue;
      }
      const value = this.optional(name);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
}

/** The parameters as a query string's entries, a list as one entry per value. */
export function toSearchParams(params: RequestParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, item);
  }
  return search;
}

/** One parameter's value: sent once (or up to its limit, when repeatable), as text, not oversized, no control character. */
function check(name: string, value: unknown): void {
  if (Array.isArray(value)) {
    const limit = Object.hasOwn(REPEATABLE, name) ? REPEATABLE[name]! : 1;
    if (limit === 1) throw new InvalidRequest(`${name} was sent more than once; send each parameter once`);
    if (value.length > limit) throw new InvalidRequest(`${name} was sent ${value.length} times; at most ${limit} are accepted`);
    for (const item of value) checkOne(name, item);
    return;
  }
  checkOne(name, value);
}

function checkOne(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new InvalidRequest(`${name} must be a string`);
  if (value.length > MAX_PARAM_LENGTH) throw new InvalidRequest(`${name} is longer than ${MAX_PARAM_LENGTH} characters`);
  // No OAuth parameter may hold one (RFC 6749 Appendix A: VSCHAR, NQCHAR, URI-reference).
  const control = controlCharacterIn(value);
  if (control) throw new InvalidRequest(`${name} contains a control character (${control}), which no OAuth parameter may hold`);
}

/** The parameters that were sent once: a request handed over for a page that takes no repeatable one (logout, device). */
export function singleValues(params: RequestParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (typeof value === 'string') out[name] = value;
  return out;
}
