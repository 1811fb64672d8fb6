// What every command that touches the database shares: the configuration from the environment, the same
// services the server uses, and closing the store afterwards so the process exits.
import { userInfo } from 'node:os';
import type { Services } from '../services.js';

export async function withServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  // Loaded on use, so that --help and usage errors answer without loading the database drivers.
  const [{ loadConfig }, { openServices }] = await Promise.all([import('../config.js'), import('../services.js')]);
  const services = await openServices(loadConfig(process.env));
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
