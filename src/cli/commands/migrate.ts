// gatehouse migrate — creates or upgrades the schema and makes the first signing keys.
import { Command } from 'commander';
import { redactUrl } from '../../config.js';
import { withServices } from '../context.js';
import { print } from '../output.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create or upgrade the database schema (safe to run again, and by several instances at once) and make signing keys if there are none')
    .action(async () => {
      await withServices(async (services) => {
        const keys = await services.store.listSigningKeys(services.now());
        print(`Database ${redactUrl(services.config.databaseUrl)} is up to date; ${keys.filter((k) => k.retiredAt === null).length} active signing keys.`);
      }, 'create');
    });
}
