// gatehouse cleanup — deletes what can no longer be used (expired codes, sessions and tokens, spent grants,
// keys no longer published), in batches so a large backlog never holds one long transaction.
import { Command } from 'commander';
import type { CleanupResult } from '../../store/types.js';
import { cleanupView } from '../../admin/views.js';
import { withServices } from '../context.js';
import { positiveInteger } from '../options.js';
import { nowSeconds, print, printJson, printTable } from '../output.js';

const MAX_ROUNDS = 100_000;

function total(result: CleanupResult): number {
  return result.codes + result.sessions + result.accessTokens + result.refreshTokens + result.grants + result.keys;
}

export function registerCleanup(program: Command): void {
  program
    .command('cleanup')
    .description('delete expired and revoked records, in batches, and print how many of each')
    .option('--batch-size <n>', 'rows deleted per batch', positiveInteger, 1000)
    .option('--json', 'print JSON')
    .action(async (options: { batchSize: number; json?: boolean }) => {
      await withServices(async (services) => {
        const now = nowSeconds();
        const sum: CleanupResult = { codes: 0, sessions: 0, accessTokens: 0, refreshTokens: 0, grants: 0, keys: 0 };
        for (let round = 0; round < MAX_ROUNDS; round++) {
          const batch = await services.store.cleanup(now, options.batchSize);
          for (const key of Object.keys(sum) as Array<keyof CleanupResult>) sum[key] += batch[key];
          if (total(batch) === 0) break;
        }
        const view = cleanupView(sum);
        if (options.json) return printJson(view);
        print(total(sum) === 0 ? 'Nothing to clean up.' : `Deleted ${total(sum)} record${total(sum) === 1 ? '' : 's'}:`);
        printTable(
          ['Record', 'Deleted'],
          Object.entries(view).map(([name, count]) => [name.replace(/_/g, ' '), String(count)]),
          '',
        );
      });
    });
}
