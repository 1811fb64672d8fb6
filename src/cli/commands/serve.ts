// gatehouse serve — the issuer on GATEHOUSE_PORT and the admin API on GATEHOUSE_ADMIN_PORT, until SIGINT or SIGTERM.
import { Command } from 'commander';

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
        throw error;
      }
      process.stdout.write(`Gatehouse ${services.config.issuer} is serving on ${server.publicUrl}; admin API on ${server.adminUrl}\n`);
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
