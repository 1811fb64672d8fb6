// The one check for every redirect whose target comes from the request (return_to after sign-in and the like).
// Browsers drop tabs and newlines from URLs and read "\" as "/", so a string test on the raw value ("starts with
// one slash") is not enough: "/<TAB>/evil.example" becomes "//evil.example". The value is resolved the way a
// browser would resolve it (WHATWG URL parsing against the issuer), the origin compared, and only the
// normalised path and query ever reach a Location header — never the raw input.

import { codePoint } from '../util/text.js';

/** Longer than any link Gatehouse makes for itself (an authorize request with its parameters). */
export const MAX_RETURN_TO_LENGTH = 8192;

export class UnsafeReturnTo extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeReturnTo';
  }
}

/**
 * The normalised path and query of `value` when it names a page on the issuer's origin (under the issuer's
 * path, if it has one); throws UnsafeReturnTo naming the problem otherwise.
 */
export function sameOriginPath(value: unknown, issuer: string): string {
  if (typeof value !== 'string') throw new UnsafeReturnTo('return_to must be sent once, as text');
  if (value.length > MAX_RETURN_TO_LENGTH) throw new UnsafeReturnTo(`return_to is longer than ${MAX_RETURN_TO_LENGTH} characters`);
  // Links Gatehouse makes are percent-encoded ASCII. Control characters are what browsers silently drop (the
  // open-redirect trick), "\" is what they turn into "/", and anything outside printable ASCII cannot go in a
  // header as it is; refusing them all outright leaves nothing for a browser to reinterpret.
  const bad = /[^\x21-\x5b\x5d-\x7e]/.exec(value);
  if (bad) {
    const what = bad[0] === '\\' ? 'a backslash' : bad[0] === ' ' ? 'a space' : `the character ${codePoint(bad[0])}`;
    throw new UnsafeReturnTo(`return_to contains ${what}; it must be a percent-encoded path on this server`);
  }
  const base = new URL(issuer);
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    throw new UnsafeReturnTo('return_to is not a valid URL or path');
  }
  if (url.origin !== base.origin || url.username !== '' || url.password !== '') {
    throw new UnsafeReturnTo('return_to must be a page on this server, not another site');
  }
  // "/.//evil.example" resolves to the path "//evil.example", which a browser reads as another host.
  if (url.pathname.startsWith('//')) throw new UnsafeReturnTo('return_to must not resolve to a path starting with "//"');
  const prefix = base.pathname.replace(/\/$/, '');
  if (prefix !== '' && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
    throw new UnsafeReturnTo(`return_to must be a page under ${prefix}`);
  }
  return url.pathname + url.search;
}
