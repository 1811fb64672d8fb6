// Characters that must never reach a stored value shown in pages, logs or Location headers.

// C0 controls, DEL and C1 controls: NUL truncates strings in C libraries and some databases, CR/LF split headers
// and log lines, and browsers silently drop TAB/CR/LF from URLs, so what was checked is not what is followed.
const CONTROL_RANGE = '\\u0000-\\u001f\\u007f-\\u009f';
// Every character here is in the BMP, so no 'u' flag (a non-unicode scan is the faster one on the hot path).
const CONTROL = new RegExp(`[${CONTROL_RANGE}]`);
/** The same rule as a JSON-schema pattern, for input validated at the edge (the admin API's schemas). */
export const NO_CONTROL_CHARACTERS_PATTERN = `^[^${CONTROL_RANGE}]*$`;
// Controls plus any whitespace (space, no-break space, line and paragraph separators, BOM, …).
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** "U+0009" for the first control character in `value`, or undefined when there is none. */
export function controlCharacterIn(value: string): string | undefined {
  const char = CONTROL.exec(value)?.[0];
  return char === undefined ? undefined : codePoint(char);
}

/** "U+0020" for the first control or whitespace character in `value`, or undefined when there is none. */
export function controlOrSpaceIn(value: string): string | undefined {
  const char = CONTROL_OR_SPACE.exec(value)?.[0];
  return char === undefined ? undefined : codePoint(char);
}

/** "U+0009" for a character: how errors name one that cannot be shown as it is. */
export function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
