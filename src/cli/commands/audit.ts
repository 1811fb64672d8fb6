// gatehouse audit list — the audit trail of security events, newest first.
import { Command, InvalidArgumentError } from 'commander';
import { auditEventView, DEFAULT_AUDIT_LIMIT, listAuditEvents, MAX_AUDIT_LIMIT } from '../../admin/audit.js';
import { AUDIT_EVENTS, type AuditEventName } from '../../domain/audit.js';
import { withServices } from '../context.js';
import { duration, positiveInteger } from '../options.js';
import { formatTime, printJson, printTable } from '../output.js';

function eventName(value: string): AuditEventName {
  if (!Object.hasOwn(AUDIT_EVENTS, value)) throw new InvalidArgumentError(`use one of ${Object.keys(AUDIT_EVENTS).join(', ')}.`);
  return value as AuditEventName;
}

function limit(value: string): number {
  const count = positiveInteger(value);
  if (count > MAX_AUDIT_LIMIT) throw new InvalidArgumentError(`use a whole number from 1 to ${MAX_AUDIT_LIMIT}.`);
  return count;
}

interface ListOptions {
  event?: AuditEventName;
  client?: string;
  user?: string;
  since?: number;
  limit: number;
  json?: boolean;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit trail of security events');

  audit
    .command('list')
    .description('list audit events, newest first')
    .option('--event <name>', 'only this event (e.g. signin.failed, client.created)', eventName)
    .option('--client <client-id>', "only this client's events")
    .option('--user <username-or-id>', 'only events about or by this user')
    .option('--since <duration>', 'only the last 90s, 10m, 1h, 30d…', duration)
    .option('--limit <n>', `at most this many (1-${MAX_AUDIT_LIMIT})`, limit, DEFAULT_AUDIT_LIMIT)
    .option('--json', 'print JSON')
    .action(async (options: ListOptions) => {
      await withServices(async (services) => {
        const events = await listAuditEvents(services, { event: options.event, clientId: options.client, user: options.user, sinceSeconds: options.since, limit: options.limit });
        if (options.json) return printJson({ events: events.map(auditEventView) });
        printTable(
          ['Time', 'Event', 'Actor', 'Subject', 'Client', 'Outcome', 'Address'],
          events.map((e) => [
            formatTime(e.at),
            e.event,
            e.actorId === null ? e.actorType : `${e.actorType}:${e.actorId}`,
            e.subject ?? '-',
            e.clientId ?? '-',
            e.outcome ?? '-',
            e.address ?? '-',
          ]),
          'No audit events.',
        );
      });
    });
}
