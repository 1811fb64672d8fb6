// What every command that touches the database shares: the configuration from the environment, the same
// services the server uses, and closing the store afterwards so the process exits.
import { loadConfig } from '../config.js';
import { openServices, type Services } from '../services.js';

export async function withServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  const services = await openServices(loadConfig(process.env));
  try {
    return await run(services);
  } finally {
    await services.store.close();
  }
}
