// gatehouse grants list | revoke — a grant is one authorization: everything issued from one consent and code exchange.
import { Command } from 'commander';
import { listGrants, revokeGrant } from '../../admin/grants.js';
import { grantRevokedView, grantView } from '../../admin/views.js';
import { confirm, requireConfirmable } from '../confirm.js';
import { withServices } from '../context.js';
import { formatTime, print, printJson, printTable } from '../output.js';

const ADMIN_REVOKE_REASON = 'revoked by an administrator (gatehouse grants revoke)';

export function registerGrants(program: Command): void {
  const grants = program.command('grants').description('see and revoke what apps have been allowed to do');

  grants
    .command('list')
    .description('list active grants (with --all, revoked ones too)')
    .option('--user <username>', "only this user's grants")
    .option('--client <client-id>', "only this client's grants")
    .option('--all', 'include revoked grants')
    .option('--json', 'print JSON')
    .action(async (options: { user?: string; client?: string; all?: boolean; json?: boolean }) => {
      await withServices(async (services) => {
        const found = await listGrants(services, { username: options.user, clientId: options.client, includeRevoked: options.all === true });
        if (options.json) return printJson({ grants: found.map(grantView) });
        printTable(
          ['Grant ID', 'Client', 'User', 'Scopes', 'Created', 'Last used', 'Status'],
          found.map((g) => [
            g.id,
            g.clientId,
            g.username ?? (g.userId ? `${g.userId} (deleted)` : '(client itself)'),
            g.scopes.join(' ') || '-',
            formatTime(g.createdAt),
            formatTime(g.lastUsedAt),
            g.revokedAt === null ? 'active' : `revoked ${formatTime(g.revokedAt)}${g.revokedReason ? `: ${g.revokedReason}` : ''}`,
          ]),
          options.all ? 'No grants.' : 'No active grants.',
        );
      });
    });

  grants
    .command('revoke')
    .description('revoke a grant and every access and refresh token issued under it (asks first, unless --yes)')
    .argument('<grant-id>', 'the grant id (from grants list)')
    .option('--reason <text>', 'why, kept with the grant and shown by tokens inspect', ADMIN_REVOKE_REASON)
    .option('-y, --yes', 'do not ask for confirmation (needed when not run at a terminal)')
    .option('--json', 'print JSON')
    .action(async (grantId: string, options: { reason: string; yes?: boolean; json?: boolean }) => {
      requireConfirmable(options.yes, `revoking grant ${grantId}`);
      await withServices(async (services) => {
        // Asked only about an active grant: a missing one is an error below, a revoked one stays as it is.
        const found = await services.store.getGrant(grantId);
        if (found && found.revokedAt === null) {
          await confirm(options.yes, `Revoke grant ${grantId} (client ${found.clientId}) and every token issued under it?`, `not confirmed: grant ${grantId} was not revoked`);
        }
        const { grant, alreadyRevoked } = await revokeGrant(services, grantId, options.reason);
        if (options.json) return printJson(grantRevokedView(grant));
        if (alreadyRevoked) print(`Grant ${grantId} was already revoked at ${formatTime(grant.revokedAt)}${grant.revokedReason ? ` (${grant.revokedReason})` : ''}.`);
        else print(`Revoked grant ${grantId}: its access and refresh tokens no longer work.`);
      });
    });
}
