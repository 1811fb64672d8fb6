// gatehouse tokens inspect TOKEN
import { Command } from 'commander';
import { inspectToken, TOKEN_KIND_LABELS, type TokenReport } from '../../domain/token-inspection.js';
import { tokenReportView } from '../../admin/views.js';
import { withServices } from '../context.js';
import { formatTime, printFields, printJson, relativeTime } from '../output.js';
import { readSecret } from '../stdin.js';

function statusLine(report: TokenReport, now: number): string {
  const at = report.statusAt;
  switch (report.status) {
    case 'active':
      return report.expiresAt !== null ? `active (expires ${relativeTime(report.expiresAt, now)})` : 'active';
    case 'expired':
      return `expired at ${formatTime(at)} (${relativeTime(at ?? now, now)})`;
    case 'rotated':
      return `rotated at ${formatTime(at)}: exchanged for a new refresh token; presenting it again revokes the grant (unless it retries a lost answer or falls in the client's grace window)`;
    case 'revoked':
      return `revoked${at !== null ? ` at ${formatTime(at)}` : ''}: ${report.revokedReason ?? 'no reason recorded'}`;
    case 'unknown':
      return 'not issued by this Gatehouse / unknown';
  }
}

/** A token exchange's chain, current actor first: "enricher via leads-api" (leads-api exchanged the user's token first). */
function actors(act: NonNullable<TokenReport['act']>): string {
  const chain: string[] = [];
  for (let link: typeof act | undefined = act; link; link = link.act) chain.push(link.sub);
  return chain.join(' via ');
}

function printReport(report: TokenReport, now: number): void {
  if (report.kind === 'unknown') {
    printFields([
      ['Kind', TOKEN_KIND_LABELS.unknown],
      ['Status', statusLine(report, now)],
    ]);
    return;
  }
  const fields: Array<[string, string | string[]]> = [
    ['Kind', TOKEN_KIND_LABELS[report.kind]],
    ['Status', statusLine(report, now)],
    ['Client', report.clientId ? (report.clientName ? `${report.clientName} (${report.clientId})` : `${report.clientId} (no longer registered)`) : '-'],
    ['User', report.userId ? (report.username ?? `${report.userId} (deleted)`) : 'none (the client acts for itself)'],
  ];
  if (report.kind !== 'id_token') fields.push(['Scopes', report.scopes.length ? report.scopes.join(' ') : '(none)']);
  if (report.kind !== 'refresh_token') fields.push(['Audience', report.audience]);
  fields.push(['Issued', formatTime(report.issuedAt)], ['Expires', formatTime(report.expiresAt)]);
  if (report.kind !== 'id_token') fields.push(['Grant', report.grantId ?? '-']);
  if (report.act) fields.push(['Acting', actors(report.act)]);
  printFields(fields);
}

export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('look into tokens');

  tokens
    .command('inspect')
    .description('say what a token is, whose it is, what it allows and whether it still works (the token is never printed)')
    .argument('<token>', 'an access, refresh or ID token; "-" reads it from standard input (keeps it out of shell history)')
    .option('--json', 'print JSON')
    .action(async (token: string, options: { json?: boolean }) => {
      const value = token === '-' ? await readSecret('Token: ') : token;
      await withServices(async (services) => {
        const now = services.now();
        const report = await inspectToken(services, value, now);
        if (options.json) return printJson(tokenReportView(report));
        printReport(report, now);
      });
    });
}
