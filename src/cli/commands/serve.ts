// gatehouse serve — the issuer on GATEHOUSE_PORT and the admin API on GATEHOUSE_ADMIN_PORT, until SIGINT or SIGTERM.
import { Command } from 'commander';
import type { Config } from '../../config.js';
import { CliError } from '../errors.js';

/** A port that is taken or not allowed is a setting to change, not a fault: say which one. */
function listenError(error: unknown, config: Config): CliError | undefined {
  const { code, port, address } = error as { code?: string; port?: number; address?: string };
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return undefined;
  const setting = port === config.adminPort ? 'GATEHOUSE_ADMIN_PORT' : port === config.port ? 'GATEHOUSE_PORT' : 'the port settings';
  const problem = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges this process does not have' : 'is not an address of this machine';
  return new CliError(`cannot listen on ${address ?? 'host'}:${port ?? '?'}: it ${problem}; change ${setting}`);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the authorization server (public port) and the admin API (admin port)')
    .action(async () => {
      const [{ loadConfig }, { openServices }] = await Promise.all([import('../../config.js'), import('../../services.js')]);
      const services = await openServices(loadConfig(process.env));
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
