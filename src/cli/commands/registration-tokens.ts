// gatehouse registration-tokens create | list | revoke: initial access tokens for dynamic client registration
// (GATEHOUSE_REGISTRATION=token, RFC 7591 §3).
import type { Command } from 'commander';
import { createRegistrationToken, listRegistrationTokens, revokeRegistrationToken } from '../../admin/registration-tokens.js';
import { registrationTokenView } from '../../admin/views.js';
import { withServices } from '../context.js';
import { duration, positiveInteger } from '../options.js';
import { formatTime, print, printJson, printTable } from '../output.js';

export function registerRegistrationTokens(program: Command): void {
  const tokens = program
    .command('registration-tokens')
    .description('initial access tokens that let a client register itself at /oauth2/register (GATEHOUSE_REGISTRATION=token)');

  tokens
    .command('create')
    .description('make an initial access token; it is shown once, Gatehouse keeps only its hash')
    .option('--expires-in <duration>', 'how long it may be used, e.g. 1h, 7d (default 1d)', duration)
    .option('--max-uses <n>', 'how many clients it may register (default: any number until it expires)', positiveInteger)
    .option('--json', 'print JSON')
    .action(async (options: { expiresIn?: number; maxUses?: number; json?: boolean }) => {
      await withServices(async (services) => {
        const { record, token } = await createRegistrationToken(services, { expires_in: options.expiresIn, max_uses: options.maxUses ?? null });
        if (options.json) return printJson(registrationTokenView(record, token));
        print(`Registration token ${record.id}, valid until ${formatTime(record.expiresAt)}${record.maxUses === null ? '' : ` for ${record.maxUses} registration${record.maxUses === 1 ? '' : 's'}`}:`);
        print(token);
        print('It is shown only this once. A client sends it as "Authorization: Bearer <token>" to /oauth2/register.');
      });
    });

  tokens
    .command('list')
    .description('list initial access tokens (never the tokens themselves)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(async (services) => {
        const all = await listRegistrationTokens(services);
        if (options.json) return printJson({ registration_tokens: all.map((record) => registrationTokenView(record)) });
        const now = services.now();
        printTable(
          ['ID', 'Uses', 'Expires', 'Status'],
          all.map((t) => [t.id, `${t.uses}${t.maxUses === null ? '' : ` of ${t.maxUses}`}`, formatTime(t.expiresAt), t.expiresAt <= now ? 'expired' : t.maxUses !== null && t.uses >= t.maxUses ? 'used up' : 'usable']),
          'No registration tokens. Make one with: gatehouse registration-tokens create [--expires-in 1d] [--max-uses N]',
        );
      });
    });

  tokens
    .command('revoke')
    .description('delete an initial access token; clients it registered stay registered')
    .argument('<id>', 'the token\'s id (iat_…), as listed')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        await revokeRegistrationToken(services, id);
        if (options.json) return printJson({ id, revoked: true });
        print(`Revoked registration token ${id}.`);
      });
    });
}
