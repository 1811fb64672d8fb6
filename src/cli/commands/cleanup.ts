// gatehouse cleanup — deletes what can no longer be used, in batches, and prints how many of each.
import { Command } from 'commander';
import { cleanUp, cleanupTotal } from '../../admin/cleanup.js';
import { cleanupView } from '../../admin/views.js';
import { withServices } from '../context.js';
import { positiveInteger } from '../options.js';
import { print, printJson, printTable } from '../output.js';

export function registerCleanup(program: Command): void {
  program
    .command('cleanup')
    .description('delete expired and revoked records, in batches, and print how many of each')
    .option('--batch-size <n>', 'rows deleted per batch', positiveInteger, 1000)
    .option('--json', 'print JSON')
    .action(async (options: { batchSize: number; json?: boolean }) => {
      await withServices(async (services) => {
        const sum = await cleanUp(services, options.batchSize);
        const view = cleanupView(sum);
        if (options.json) return printJson(view);
        const total = cleanupTotal(sum);
        print(total === 0 ? 'Nothing to clean up.' : `Deleted ${total} record${total === 1 ? '' : 's'}:`);
        printTable(
          ['Record', 'Deleted'],
          Object.entries(view).map(([name, count]) => [name.replace(/_/g, ' '), String(count)]),
          '',
        );
      });
    });
}
