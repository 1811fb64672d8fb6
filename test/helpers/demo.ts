// `npm run demo` for a test: every port free, its own temporary database and folder (the demo never reads
// GATEHOUSE_DATABASE_URL), quiet logs; `extra` adds or overrides settings (the platform's own sign-in, …).
import { dirname } from 'node:path';
import { startDemo, type DemoOptions } from '../../examples/demo.js';
import { freePort, TEST_SECRET, tempSqliteUrl } from './server.js';

export type RunningDemo = Awaited<ReturnType<typeof startDemo>>;

export async function startTestDemo(options: DemoOptions = {}, extra: Record<string, string> = {}): Promise<{ demo: RunningDemo; close(): Promise<void> }> {
  const database = tempSqliteUrl();
  const port = await freePort();
  const demo = await startDemo({
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_ADMIN_PORT: String(await freePort()),
    GATEHOUSE_ISSUER: `http://localhost:${port}`,
    DEMO_DATABASE_URL: database.url,
    DEMO_DATA: dirname(database.url.slice('sqlite:'.length)),
    GATEHOUSE_SECRET: TEST_SECRET,
    GATEHOUSE_LOG_LEVEL: 'silent',
    LEADS_API_PORT: String(await freePort()),
    LEADS_MCP_PORT: String(await freePort()),
    INTEGRATION_APP_PORT: String(await freePort()),
    ...extra,
  }, options);
  return {
    demo,
    async close() {
      await demo.close();
      database.remove();
    },
  };
}
