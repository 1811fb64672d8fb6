// `npm run platform-sign-in`: the platform's sign-in and consent app alone, against a running Gatehouse's admin API
// (PLATFORM_ADMIN_URL, default http://localhost:4445). Start Gatehouse with
// GATEHOUSE_LOGIN_URL=http://localhost:3100/oauth/login GATEHOUSE_CONSENT_URL=http://localhost:3100/oauth/consent.
import { platformSettings, startPlatform } from './start.js';

const settings = platformSettings();
const platform = await startPlatform(settings, settings.adminUrl ?? 'http://localhost:4445');
console.log(`Platform sign-in on ${platform.url}/oauth/login and /oauth/consent (user ${settings.username}), answering ${settings.adminUrl ?? 'http://localhost:4445'}`);
const stop = () => platform.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
