// Which failures are the user's to fix, and the one line that tells them how. Nothing here prints a stack
// trace or a secret: messages from the domain name the offending value, never a password or token.
import { AlreadyExists, NotFound } from '../admin/errors.js';
import { ConfigError } from '../config.js';
import { AccountInputError } from '../domain/accounts.js';
import { ClientInputError } from '../domain/clients.js';
import { ResourceInputError } from '../domain/resources.js';
import { DuplicateError } from '../store/errors.js';

/** A problem with what was asked, found by the command itself (no such grant, nothing to update…). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** The message for a failure the user can fix; undefined when it is a fault. */
export function userErrorMessage(error: unknown): string | undefined {
  if (error instanceof CliError || error instanceof ConfigError || error instanceof ClientInputError || error instanceof AccountInputError || error instanceof ResourceInputError) {
    return error.message;
  }
  if (error instanceof NotFound || error instanceof AlreadyExists || error instanceof DuplicateError) return error.message;
  return undefined;
}

/** Database URLs in driver messages may carry a password; show them without it. */
export function scrubMessage(message: string): string {
  return message.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, '$1:***@');
}
