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
import { registerResources } from './commands/resources.js';
import { registerServe } from './commands/serve.js';
import { registerTokens } from './commands/tokens.js';
import { registerUsers } from './commands/users.js';

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
        'Every command reads the same GATEHOUSE_* settings and database as the server (GATEHOUSE_DATABASE_URL, GATEHOUSE_SECRET, …).',
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
  registerKeys(program);
  registerTokens(program);
  registerGrants(program);
  registerCleanup(program);
  registerAudit(program);
  return program;
}
