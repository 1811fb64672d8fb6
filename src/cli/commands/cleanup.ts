// gatehouse cleanup — deletes what can no longer be used, in batches, and prints how many of each in one line.
import { Command } from 'commander';
import { cleanUp, cleanupTotal } from '../../admin/cleanup.js';
import { cleanupView, type CleanupView } from '../../admin/views.js';
import { withServices } from '../context.js';
import { positiveInteger } from '../options.js';
import { print, printJson } from '../output.js';

/** "Removed 3 access tokens, 1 authorization code (4 records)." — only what was removed, so a cron log stays one short line. */
export function cleanupLine(view: CleanupView, total: number): string {
  if (total === 0) return 'Removed nothing: no expired or revoked records.';
  const parts = Object.entries(view)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${count} ${name.replace(/_/g, ' ').replace(/s$/, count === 1 ? '' : 's')}`);
  return `Removed ${parts.join(', ')} (${total} record${total === 1 ? '' : 's'}).`;
}

export function registerCleanup(program: Command): void {
  program
    .command('cleanup')
    .description('delete expired and revoked records, in batches, and print how many of each (one line)')
    .option('--batch-size <n>', 'rows deleted per batch', positiveInteger, 1000)
    .option('--json', 'print JSON')
    .action(async (options: { batchSize: number; json?: boolean }) => {
      await withServices(async (services) => {
        const sum = await cleanUp(services, options.batchSize);
        const view = cleanupView(sum);
        if (options.json) return printJson(view);
        print(cleanupLine(view, cleanupTotal(sum)));
      });
    });
}
