// gatehouse keys list | rotate
import { Command } from 'commander';
import { SIGNING_ALGS } from '../../domain/keys.js';
import type { Services } from '../../services.js';
import type { SigningAlg, SigningKeyRecord } from '../../store/types.js';
import { keyView, type KeyView } from '../../http/admin/views.js';
import { withServices } from '../context.js';
import { collectOneOf } from '../options.js';
import { formatTime, print, printJson, printTable } from '../output.js';

const USES: Record<string, string> = { ES256: 'access tokens', RS256: 'ID tokens' };

interface ListedKey {
  record: SigningKeyRecord;
  published: boolean;
}

/** Every key on record, and whether the JWKS serves it now. */
async function listKeys(services: Services): Promise<ListedKey[]> {
  const [records, jwks] = await Promise.all([services.store.listSigningKeys(services.now()), services.keys.jwks()]);
  const published = new Set(jwks.keys.map((key) => key.kid));
  return records.map((record) => ({ record, published: published.has(record.kid) }));
}

const view = ({ record, published }: ListedKey): KeyView => keyView(record, published);

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
        if (options.json) return printJson({ keys: all.map(view) });
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
        const algs = options.alg ? [...new Set(options.alg)] as SigningAlg[] : SIGNING_ALGS;
        const made = new Set((await services.keys.rotate(algs)).map((key) => key.kid));
        const all = await listKeys(services);
        if (options.json) return printJson({ rotated: all.filter((k) => made.has(k.record.kid)).map(view), keys: all.map(view) });
        print(`Rotated ${algs.join(' and ')}: new tokens are signed with the new key; running servers pick it up within seconds.`);
        print();
        printKeys(all);
      });
    });
}
