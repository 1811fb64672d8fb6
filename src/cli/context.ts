// What every command that touches the database shares: the configuration from the environment, the same
// services the server uses, and closing the store afterwards so the process exits.
import type { Services } from '../services.js';

export async function withServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  // Loaded on use, so that --help and usage errors answer without loading the database drivers.
  const [{ loadConfig }, { openServices }] = await Promise.all([import('../config.js'), import('../services.js')]);
  const services = await openServices(loadConfig(process.env));
  try {
    return await run(services);
  } finally {
    await services.store.close();
  }
}
