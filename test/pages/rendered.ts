// The page render functions as complete HTML documents (each wrapped in the shell as sendPage does), with the default
// branding unless one is given: what the unit tests of the pages read.
import type { Branding } from '../../src/config.js';
import { renderLayout, type Page } from '../../src/http/pages/layout.js';
import * as login from '../../src/http/pages/login.js';
import * as consent from '../../src/http/pages/consent.js';
import * as error from '../../src/http/pages/error.js';
import * as apps from '../../src/http/pages/apps.js';
import * as message from '../../src/http/pages/message.js';
import * as device from '../../src/http/pages/device.js';
import * as logout from '../../src/http/pages/logout.js';
import * as landing from '../../src/http/pages/landing.js';

const whole = <I>(render: (input: I) => Page) => (input: I, branding?: Branding): string => renderLayout(render(input), branding);

export const renderLoginPage = whole(login.renderLoginPage);
export const renderConsentPage = whole(consent.renderConsentPage);
export const renderErrorPage = whole(error.renderErrorPage);
export const renderConnectedAppsPage = whole(apps.renderConnectedAppsPage);
export const renderRevokeConfirmPage = whole(apps.renderRevokeConfirmPage);
export const renderMessagePage = whole(message.renderMessagePage);
export const renderDeviceCodePage = whole(device.renderDeviceCodePage);
export const renderLogoutConfirmPage = whole(logout.renderLogoutConfirmPage);
export const renderSignedOutPage = whole(logout.renderSignedOutPage);
export const renderLandingPage = whole(landing.renderLandingPage);
