// gatehouse keys list | rotate
import { Command } from 'commander';
import { listKeys, rotateKeys, type ListedKey } from '../../admin/keys.js';
import { keyView } from '../../admin/views.js';
import { SIGNING_ALGS } from '../../domain/keys.js';
import type { SigningAlg } from '../../store/types.js';
import { withServices } from '../context.js';
import { collectOneOf } from '../options.js';
import { formatTime, print, printJson, printTable } from '../output.js';

const USES: Record<string, string> = { ES256: 'access tokens', RS256: 'ID tokens' };

function printKeys(keys: ListedKey[]): void {
  printTable(
    ['Kid', 'Alg', 'Signs', 'Status', 'Published', 'Created', 'Retired'],
    keys.map(({ record, published }) => [
      record.kid,
      record.alg,
      USES[record.alg] ?? '-',
      record.retiredAt === null ? 'active' : 'retired',
      published ? (record.expiresAt !== null ? `yes, until ${formatTime(record.expiresAt)}` : 'yes') : 'no',
      formatTime(record.createdAt),
      formatTime(record.retiredAt),
    ]),
    'No signing keys yet: they are made on the first start (or by gatehouse migrate).',
  );
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('signing keys (ES256 signs access tokens, RS256 signs ID tokens)');

  keys
    .command('list')
    .description('list signing keys: active ones sign, retired ones stay published until tokens they signed have expired')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(async (services) => {
        const all = await listKeys(services);
        if (options.json) return printJson({ keys: all.map(keyView) });
        printKeys(all);
      });
    });

  keys
    .command('rotate')
    .description('make a new active key; the old one is retired but stays published for GATEHOUSE_KEY_RETENTION')
    .option('--alg <alg>', `rotate only this algorithm: ${SIGNING_ALGS.join(' or ')} (default: both)`, collectOneOf(SIGNING_ALGS))
    .option('--json', 'print JSON')
    .action(async (options: { alg?: string[]; json?: boolean }) => {
      await withServices(async (services) => {
        const { algs, rotated, keys: all } = await rotateKeys(services, options.alg as SigningAlg[] | undefined);
        if (options.json) return printJson({ rotated: rotated.map(keyView), keys: all.map(keyView) });
        print(`Rotated ${algs.join(' and ')}: new tokens are signed with the new key; running servers pick it up within seconds.`);
        print();
        printKeys(all);
      });
    });
}
