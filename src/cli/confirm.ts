// Asking before a command destroys something. The question is read from a terminal only: a script (no TTY on
// stdin) must say --yes, and without it is refused at once instead of waiting for an answer no one will type.
import { stdin, stderr } from 'node:process';
import { createInterface } from 'node:readline';
import { CliError } from './errors.js';

/** Refuses before anything is opened when there is no terminal to ask and no --yes. */
export function requireConfirmable(yes: boolean | undefined, what: string): void {
  if (!yes && !stdin.isTTY) throw new CliError(`${what} needs confirmation: pass --yes (no terminal to ask on)`);
}

/** Asks `question [y/N]` on the terminal; anything but y or yes declines, and declining is an error naming what was kept. */
export async function confirm(yes: boolean | undefined, question: string, declined: string): Promise<void> {
  if (yes) return;
  const lines = createInterface({ input: stdin, output: stderr, terminal: true });
  const answer = await new Promise<string>((resolve) => {
    lines.question(`${question} [y/N] `, resolve);
    // Ctrl-D or Ctrl-C: no answer is no.
    lines.once('close', () => resolve(''));
    lines.once('SIGINT', () => {
      stderr.write('\n');
      lines.close();
    });
  });
  lines.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError(declined);
}
