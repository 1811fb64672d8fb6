// gatehouse serve — the issuer on GATEHOUSE_PORT and the admin API on GATEHOUSE_ADMIN_PORT, until SIGINT or SIGTERM.
import { Command } from 'commander';
import type { Config } from '../../config.js';
import { openCliServices } from '../context.js';
import { CliError } from '../errors.js';
import { listenErrorMessage } from '../listen-error.js';

function listenError(error: unknown, config: Config): CliError | undefined {
  const message = listenErrorMessage(error, [[config.adminPort, 'GATEHOUSE_ADMIN_PORT'], [config.port, 'GATEHOUSE_PORT']]);
  return message === undefined ? undefined : new CliError(message);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the authorization server (public port) and the admin API (admin port)')
    .action(async () => {
      const services = await openCliServices('create');
      let server: Awaited<ReturnType<typeof import('../../http/server.js').startServer>>;
      try {
        // Loaded here so that the other commands do not load the web stack.
        const { startServer } = await import('../../http/server.js');
        server = await startServer(services);
      } catch (error) {
        await services.store.close();
        throw listenError(error, services.config) ?? error;
      }
      // On stderr: stdout carries the JSON request log, which must stay one JSON object a line.
      process.stderr.write(`Gatehouse (issuer ${services.config.issuer}) is serving on ${server.publicUrl}; admin API on ${server.adminUrl}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      try {
        await server.close();
      } finally {
        await services.store.close();
      }
    });
}
