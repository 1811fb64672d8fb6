#!/usr/bin/env node
// Entry point of the gatehouse command: exit 0 on success, 1 when the command failed (a one-line reason on
// stderr), 2 for a usage error (commander has printed it).
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { scrubMessage, userErrorMessage } from './errors.js';

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = userErrorMessage(error);
    if (message !== undefined) {
      process.stderr.write(`error: ${message}\n`);
      return 1;
    }
    const verbose = ['debug', 'trace'].includes(process.env.GATEHOUSE_LOG_LEVEL ?? '');
    const detail = error instanceof Error ? (verbose && error.stack ? error.stack : error.message) : String(error);
    process.stderr.write(`error: ${scrubMessage(detail)}\n`);
    if (!verbose) process.stderr.write('(set GATEHOUSE_LOG_LEVEL=debug for details)\n');
    return 1;
  }
}

// `gatehouse keys list | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv);
