// gatehouse tokens inspect TOKEN
import { Command } from 'commander';
import { decodeJwt } from 'jose';
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

/**
 * The `iss` of a JWT from another issuer (another Gatehouse, staging vs production…), read without verifying:
 * it only explains why the token is unknown here. Undefined for our own issuer or a token that is not a JWT.
 */
function foreignIssuer(token: string, issuer: string): string | undefined {
  try {
    const iss = decodeJwt(token.trim().replace(/^Bearer\s+/i, '')).iss;
    return typeof iss === 'string' && iss !== issuer ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** Quoted and escaped: `iss` is whatever the token's maker wrote, so no control character reaches the terminal. */
function quoted(text: string): string {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return JSON.stringify(shown).replace(/[\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function issuerNote(iss: string, issuer: string): string {
  return `the token's issuer ${quoted(iss)} is not this Gatehouse's issuer ${quoted(issuer)}`;
}

function printReport(report: TokenReport, now: number, otherIssuer?: [iss: string, issuer: string]): void {
  const issuerField: Array<[string, string]> = otherIssuer ? [['Issuer', issuerNote(...otherIssuer)]] : [];
  if (report.kind === 'unknown') {
    printFields([
      ['Kind', TOKEN_KIND_LABELS.unknown],
      ['Status', statusLine(report, now)],
      ...issuerField,
    ]);
    return;
  }
  const fields: Array<[string, string | string[]]> = [
    ['Kind', TOKEN_KIND_LABELS[report.kind]],
    ['Status', statusLine(report, now)],
    ...issuerField,
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
        const iss = foreignIssuer(value, services.config.issuer);
        if (options.json) {
          // stdout keeps the admin API's shape; the note goes beside it.
          if (iss !== undefined) process.stderr.write(`note: ${issuerNote(iss, services.config.issuer)}\n`);
          return printJson(tokenReportView(report));
        }
        printReport(report, now, iss !== undefined ? [iss, services.config.issuer] : undefined);
      });
    });
}
