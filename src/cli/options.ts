// Parsers for option values, so a bad value is a usage error (exit 2) that names the option.
import { InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { parseDuration } from '../util/duration.js';

/**
 * A duration flag. Unlike GATEHOUSE_* settings (documented to take bare seconds), a flag needs a unit: "1" is
 * too easily meant as 1 hour or 1 day.
 */
export function duration(value: string): number {
  if (/^\s*\d+\s*$/.test(value)) throw new InvalidArgumentError('give a unit, e.g. 1h, 30m, 3600s.');
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new InvalidArgumentError('use a duration such as 90s, 10m, 1h or 30d.');
  return seconds;
}

/** For options given more than once: each value is kept, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Like collect, but each value must be one of `allowed`. */
export function collectOneOf(allowed: readonly string[]) {
  return (value: string, previous: string[] | undefined): string[] => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`use one of ${allowed.join(', ')}.`);
    return collect(value, previous);
  };
}

/** `--scope "a b" --scope c` is the scope list "a b c". */
export function joinScopes(value: string, previous: string | undefined): string {
  return previous === undefined ? value : `${previous} ${value}`;
}

export function positiveInteger(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('use a whole number of at least 1.');
  return Number(value);
}

/** A JSON file's content (e.g. --jwks-file): unreadable or not JSON is a usage error naming the file. */
export function jsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidArgumentError(`${path} is not JSON.`);
  }
}
