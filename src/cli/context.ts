// What every command that touches the database shares: the configuration from the environment, the same
// services the server uses, one line on stderr naming the database and issuer it works on, and closing the
// store afterwards so the process exits.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Services } from '../services.js';
import { CliError } from './errors.js';

/**
 * What a command may do when its SQLite file does not exist yet. `create`: make it and say so (serve,
 * migrate). `refuse`: stop with a hint (the other commands), unless the user passed --create, so that a
 * typo in GATEHOUSE_DATABASE_URL or a command run from the wrong folder does not leave an empty database.
 */
export type MissingDatabase = 'create' | 'refuse';

/** The options every database command takes (--quiet, --create), set by the program before the action runs. */
export interface DatabaseFlags {
  quiet?: boolean;
  create?: boolean;
}

let flags: DatabaseFlags = {};

export function setDatabaseFlags(next: DatabaseFlags): void {
  flags = next;
}

/** The database the environment names and the issuer, in one line; a PostgreSQL password is never shown. */
export async function openCliServices(missing: MissingDatabase): Promise<Services> {
  // Loaded on use, so that --help and usage errors answer without loading the database drivers.
  const [{ configuredDatabaseUrl, loadConfig, redactUrl, sqlitePath }, { openServices }] = await Promise.all([
    import('../config.js'),
    import('../services.js'),
  ]);
  // Checked before loadConfig, which writes a generated secret beside a local SQLite file.
  const url = configuredDatabaseUrl(process.env);
  const file = url.startsWith('sqlite:') ? sqlitePath(url) : undefined;
  const creating = file !== undefined && file !== ':memory:' && !existsSync(file);
  if (creating && missing === 'refuse' && !flags.create) {
    throw new CliError(`no database at ${file}: run "gatehouse migrate" to create it (or pass --create), or set GATEHOUSE_DATABASE_URL to the server's database`);
  }
  const config = loadConfig(process.env);
  if (!flags.quiet) {
    const where = file !== undefined ? `sqlite:${file}` : redactUrl(url);
    process.stderr.write(`${creating ? `Creating new database at ${file}` : `Using database ${where}`} (issuer ${config.issuer})\n`);
  }
  return openServices(config);
}

export async function withServices<T>(run: (services: Services) => Promise<T>, missing: MissingDatabase = 'refuse'): Promise<T> {
  const services = await openCliServices(missing);
  const { runAs } = await import('../domain/audit.js');
  try {
    // Audit events name the CLI and the OS user who ran it.
    return await runAs({ type: 'cli', id: osUser() }, () => run(services));
  } finally {
    await services.audit.flush();
    await services.store.close();
  }
}

function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers).
    return process.env.USER ?? null;
  }
}
