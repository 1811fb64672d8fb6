// Reading OAuth parameters from a parsed query or form: each must appear at most once and not be oversized.
import { controlCharacterIn } from '../util/text.js';
import { InvalidRequest } from './errors.js';

export type RawParams = Record<string, unknown>;

export const MAX_PARAM_LENGTH = 4096;

export class Params {
  /** Set once checkAll() passed: every value is then known to be valid, and reads skip the checks. */
  private allChecked = false;

  constructor(private readonly raw: RawParams) {}

  /** The single value of a parameter, or undefined when absent; empty counts as absent (RFC 6749 §3.1). */
  optional(name: string): string | undefined {
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

  /** Throws when any parameter is repeated or oversized, so the whole request is checked, not just what is read. */
  checkAll(): void {
    for (const name in this.raw) {
      const value = this.raw[name];
      if (value !== undefined && value !== null) check(name, value);
    }
    this.allChecked = true;
  }

  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(this.raw)) {
      const value = this.optional(name);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
}

/** One parameter's value: sent once, as text, not oversized, no control character. */
function check(name: string, value: unknown): asserts value is string {
  if (Array.isArray(value)) throw new InvalidRequest(`${name} was sent more than once; send each parameter once`);
  if (typeof value !== 'string') throw new InvalidRequest(`${name} must be a string`);
  if (value.length > MAX_PARAM_LENGTH) throw new InvalidRequest(`${name} is longer than ${MAX_PARAM_LENGTH} characters`);
  // No OAuth parameter may hold one (RFC 6749 Appendix A: VSCHAR, NQCHAR, URI-reference).
  const control = controlCharacterIn(value);
  if (control) throw new InvalidRequest(`${name} contains a control character (${control}), which no OAuth parameter may hold`);
}
