// The gatehouse command tree. Each group lives in commands/, one file per group.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerCleanup } from './commands/cleanup.js';
import { registerClients } from './commands/clients.js';
import { registerGrants } from './commands/grants.js';
import { registerKeys } from './commands/keys.js';
import { registerMigrate } from './commands/migrate.js';
import { registerRegistrationTokens } from './commands/registration-tokens.js';
import { registerResources } from './commands/resources.js';
import { registerServe } from './commands/serve.js';
import { registerTokens } from './commands/tokens.js';
import { registerUsers } from './commands/users.js';
import { setDatabaseFlags, type DatabaseFlags } from './context.js';

/** The version in package.json, found from src/cli (tsx) or dist/src/cli (built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
    dir = dirname(dir);
  }
  return '0.0.0';
}

export function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description(
      'Gatehouse OAuth 2.1 / OpenID Connect authorization server.\n' +
        'Every command reads the same GATEHOUSE_* settings and database as the server (GATEHOUSE_DATABASE_URL, GATEHOUSE_SECRET, …), ' +
        'and names that database and the issuer in one line on stderr (--quiet hides it). serve and migrate create a missing ' +
        'SQLite database; the other commands refuse one that does not exist unless given --create.',
    )
    .version(packageVersion(), '-V, --version')
    // Usage errors throw (exit code 2 in main) instead of exiting here; every subcommand inherits this.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .allowExcessArguments(false);
  registerServe(program);
  registerMigrate(program);
  registerClients(program);
  registerUsers(program);
  registerResources(program);
  registerRegistrationTokens(program);
  registerKeys(program);
  registerTokens(program);
  registerGrants(program);
  registerCleanup(program);
  addDatabaseOptions(program);
  registerAudit(program);
  return program;
}

/** Commands that make their database when it is missing (and say so); every other command refuses without --create. */
const CREATES_DATABASE = new Set(['serve', 'migrate']);

/**
 * Every command opens the database, so each one (also those added later) gets --quiet, and those that do not
 * create a missing database get --create; the flags reach withServices before the action runs.
 */
function addDatabaseOptions(program: Command): void {
  const leaves = (command: Command): Command[] => (command.commands.length ? command.commands.flatMap(leaves) : [command]);
  for (const command of program.commands.flatMap(leaves)) {
    command.option('-q, --quiet', 'do not print the "Using database …" line on stderr');
    if (!CREATES_DATABASE.has(command.name())) {
      command.option('--create', 'create the SQLite database if it does not exist (default: refuse, so a wrong folder or URL does not make an empty database)');
    }
  }
  program.hook('preAction', (_program, action) => setDatabaseFlags(action.opts<DatabaseFlags>()));
}
