// The one page shell: <html lang="en">, viewport, inline CSS (no external resources), a discreet mark with the
// platform's name (and logo) above a centered card, the platform's support and privacy links below it, and one fixed
// script that shows times in the viewer's own time zone (allowed by its hash; the page works without it).
import { createHash } from 'node:crypto';
import type { Branding } from '../../config.js';
import { html, unsafeRaw, type SafeHtml } from './html.js';
import { icons } from './components.js';

// Every text colour meets WCAG 2.1 AA (4.5:1) where it is used, in both schemes (test/browser/accessibility.test.ts):
// --subtle, the "Gatehouse" mark on --bg, is 5.2:1 (#6b7280 was 4.35:1).
const CSS = `
:root{
  color-scheme:light dark;
  --bg:#f1f3f7;--card:#fff;--text:#111827;--muted:#4b5563;--subtle:#5f6675;--border:#d8dde6;--line:#e7eaf0;
  --input-border:#8a94a6;--primary:#1d4ed8;--primary-hover:#1e40af;--on-primary:#fff;--focus:#2563eb;
  --secondary-bg:#fff;--secondary-hover:#f3f4f6;--link:#1d4ed8;
  --danger:#b42318;--danger-bg:#fef3f2;--danger-border:#f3b4ae;--danger-hover:#fde8e6;
  --ok:#05603a;--ok-bg:#ecfdf3;--ok-border:#9ee2bd;
  --chip:#eef2ff;--chip-text:#3730a3;--accent:#1d4ed8;--code-bg:#f5f7fa;
  --shadow:0 1px 2px rgba(16,24,40,.05),0 12px 32px -8px rgba(16,24,40,.12);
}
@media (prefers-color-scheme:dark){:root{
  --bg:#0c111b;--card:#161d2b;--text:#e8ebf1;--muted:#aab3c2;--subtle:#96a0b1;--border:#2a3446;--line:#243044;
  --input-border:#6b778c;--primary:#2563eb;--primary-hover:#1d4ed8;--on-primary:#fff;--focus:#7aa7ff;
  --secondary-bg:#1c2536;--secondary-hover:#243047;--link:#93b4ff;
  --danger:#ffb4ab;--danger-bg:#2d1517;--danger-border:#7a2e2a;--danger-hover:#3a1a1d;
  --ok:#86efac;--ok-bg:#0f2a1c;--ok-border:#24613f;
  --chip:#1e2a4a;--chip-text:#c7d2fe;--accent:#93b4ff;--code-bg:#111827;
  --shadow:0 1px 2px rgba(0,0,0,.3),0 12px 32px -8px rgba(0,0,0,.5);
}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;
  padding:32px 16px 48px;background:var(--bg);color:var(--text);
  font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;
  -webkit-font-smoothing:antialiased}
.brand{display:flex;align-items:center;gap:8px;margin:0 0 16px;color:var(--subtle);font-size:.875rem;font-weight:600;letter-spacing:.01em}
.brand svg{width:18px;height:18px}
.brand img{height:28px;width:auto;max-width:180px}
.links{display:flex;gap:20px;flex-wrap:wrap;justify-content:center;margin-top:20px;font-size:.875rem}
.links a{color:var(--subtle)}
.dev-note{margin-top:12px;color:var(--muted);font-size:.8125rem}
.site-links{display:flex;flex-direction:column;gap:12px;margin-top:24px}
.client-links{display:flex;gap:16px;flex-wrap:wrap;justify-content:center;margin-top:10px;font-size:.875rem}
.hero .logo{display:block;width:64px;height:64px;object-fit:contain;margin:0 auto 16px;border-radius:14px}
.asks{margin-top:16px}
.hero .account-name{margin-top:8px;color:var(--muted);overflow-wrap:anywhere}
.card{width:100%;max-width:420px;background:var(--card);border:1px solid var(--border);border-radius:16px;
  padding:32px;box-shadow:var(--shadow)}
.card.wide{max-width:640px}
h1{font-size:1.5rem;line-height:1.25;margin:0;font-weight:700;letter-spacing:-.01em;overflow-wrap:anywhere}
h2{font-size:1.125rem;line-height:1.3;margin:0;font-weight:650;overflow-wrap:anywhere}
p{margin:0}
a{color:var(--link);text-decoration:underline;text-underline-offset:2px;border-radius:2px}
a:hover{text-decoration-thickness:2px}
.lede{margin-top:6px;color:var(--muted);overflow-wrap:anywhere}
.muted{color:var(--muted)}
.small{font-size:.875rem}
strong{font-weight:650}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}

/* forms */
form{margin:0}
.field{margin-top:20px}
.field label{display:block;font-weight:600;font-size:.9375rem;margin-bottom:6px}
.field input{display:block;width:100%;min-height:48px;padding:10px 14px;font:inherit;font-size:1rem;color:var(--text);
  background:var(--card);border:1.5px solid var(--input-border);border-radius:10px}
.field input:hover{border-color:var(--text)}
.field input:focus-visible{outline:3px solid var(--focus);outline-offset:1px;border-color:var(--focus)}
.field input[aria-invalid="true"]{border-color:var(--danger)}
.button{display:inline-flex;align-items:center;justify-content:center;gap:8px;min-height:48px;padding:10px 20px;
  font:inherit;font-weight:600;font-size:1rem;line-height:1.2;border-radius:10px;border:1.5px solid transparent;cursor:pointer;
  text-decoration:none;touch-action:manipulation}
.button.primary{background:var(--primary);color:var(--on-primary)}
.button.primary:hover{background:var(--primary-hover)}
.button.secondary{background:var(--secondary-bg);color:var(--text);border-color:var(--input-border)}
.button.secondary:hover{background:var(--secondary-hover)}
.button.danger{background:var(--secondary-bg);color:var(--danger);border-color:var(--danger-border)}
.button.danger:hover{background:var(--danger-hover);border-color:var(--danger)}
.button.small{min-height:44px;padding:8px 14px;font-size:.9375rem}
.button.block{width:100%}
.submit{margin-top:28px}

/* alerts */
.alert{display:flex;gap:10px;align-items:flex-start;margin-top:20px;padding:12px 14px;border-radius:10px;border:1px solid;font-size:.9375rem;overflow-wrap:anywhere}
.alert svg{flex:none;width:20px;height:20px;margin-top:1px}
.alert.error{background:var(--danger-bg);border-color:var(--danger-border);color:var(--danger)}
.alert.success{background:var(--ok-bg);border-color:var(--ok-border);color:var(--ok)}

/* app identity */
.avatar{flex:none;display:inline-flex;align-items:center;justify-content:center;width:44px;height:44px;border-radius:12px;
  color:#fff;font-weight:700;font-size:1.25rem;line-height:1;user-select:none}
.avatar.large{width:64px;height:64px;border-radius:18px;font-size:1.75rem}
.avatar.c0{background:#1d4ed8}.avatar.c1{background:#047857}.avatar.c2{background:#b45309}.avatar.c3{background:#7c3aed}
.avatar.c4{background:#0f766e}.avatar.c5{background:#a21caf}.avatar.c6{background:#4338ca}.avatar.c7{background:#c2410c}

/* consent */
.hero{text-align:center}
.hero .avatar{margin:0 auto 16px}
.hero .host{margin-top:6px;color:var(--muted);font-size:.9375rem;overflow-wrap:anywhere}
.scopes{list-style:none;margin:24px 0 0;padding:0;border-top:1px solid var(--line)}
.scopes li{display:flex;gap:12px;align-items:flex-start;padding:14px 2px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
.scopes svg{flex:none;width:20px;height:20px;margin-top:2px;color:var(--accent)}
.resources{margin-top:14px;overflow-wrap:anywhere}
.note{margin-top:20px;color:var(--muted);font-size:.875rem}
.unverified{margin-top:16px;padding:10px 12px;border:1px solid var(--border);border-left:4px solid #b45309;border-radius:8px;font-size:.9rem}
.decision .actions{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:24px}
.account{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap;margin-top:24px;padding-top:20px;
  border-top:1px solid var(--line);font-size:.9375rem;color:var(--muted)}
.account strong{color:var(--text);overflow-wrap:anywhere}

/* connected apps */
.page-head{display:flex;flex-direction:column;gap:4px}
.apps{list-style:none;margin:24px 0 0;padding:0;display:grid;gap:16px}
.app{border:1px solid var(--border);border-radius:14px;padding:20px}
.app-head{display:flex;align-items:center;gap:14px}
.app-head .meta{margin-top:2px}
.app .scopes{margin-top:16px}
.app .scopes li{padding:10px 2px;font-size:.9375rem}
.app .scopes svg{width:18px;height:18px}
.meta{color:var(--muted);font-size:.875rem}
.meta time{white-space:nowrap}
.app .revoke-note{margin-top:12px}
.app-foot{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap;margin-top:16px}
.empty{margin-top:24px;padding:32px 20px;text-align:center;border:1.5px dashed var(--border);border-radius:14px}
.empty p+p{margin-top:6px}

/* error and message pages */
.status-icon{display:inline-flex;align-items:center;justify-content:center;width:48px;height:48px;border-radius:50%;margin-bottom:16px}
.status-icon svg{width:26px;height:26px}
.status-icon.error{background:var(--danger-bg);color:var(--danger)}
.status-icon.info{background:var(--chip);color:var(--chip-text)}
.status-icon.success{background:var(--ok-bg);color:var(--ok)}
.message{margin-top:10px;color:var(--muted);overflow-wrap:anywhere}
.details{display:grid;grid-template-columns:max-content minmax(0,1fr);margin:20px 0 0;font-size:.875rem}
.details dt,.details dd{margin:0;padding:10px 0;border-top:1px solid var(--line)}
.details dt{padding-right:16px;font-weight:600;color:var(--muted)}
.details dd{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.8125rem;line-height:1.6;overflow-wrap:anywhere}
.hint{margin-top:20px;padding-top:16px;border-top:1px solid var(--line);color:var(--muted);font-size:.875rem}
.logout-frames{position:absolute;width:0;height:0;overflow:hidden}
.logout-frames iframe{width:0;height:0;border:0}

@media (max-width:480px){
  body{justify-content:flex-start;padding:20px 12px 32px}
  .brand{margin-bottom:14px}
  .card{padding:24px 20px;border-radius:14px}
  .app{padding:16px}
  .app-foot{flex-direction:column;align-items:stretch}
  .details{grid-template-columns:minmax(0,1fr)}
  .details dd{border-top:0;padding-top:0}
  h1{font-size:1.375rem}
}
@media (prefers-reduced-motion:no-preference){.button,.field input{transition:background-color .15s,border-color .15s}}
@media (forced-colors:active){.button{border:1px solid ButtonText}.avatar{border:1px solid CanvasText}}
`.replace(/\n\s*/g, '\n').trim();

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The CSP source that allows exactly the inline <style> of these pages, should the policy move from
 * `style-src 'unsafe-inline'` to a hash: `style-src ${PAGE_STYLE_CSP_SOURCE}`. The pages use no style attributes.
 */
export const PAGE_STYLE_CSP_SOURCE = sha256(CSS);

// <time data-local datetime="…"> shows the server's UTC text; in a browser that runs this, the viewer's own zone.
const LOCAL_TIME_SCRIPT = "for(const t of document.querySelectorAll('time[data-local]')){const d=new Date(t.dateTime);"
  + "if(!isNaN(d))t.textContent=new Intl.DateTimeFormat(undefined,{dateStyle:'medium',timeStyle:'short'}).format(d)}";

/** The CSP source for the one script the pages carry (security-headers.ts puts it in script-src). */
export const PAGE_SCRIPT_CSP_SOURCE = sha256(LOCAL_TIME_SCRIPT);

const DEFAULT_BRANDING: Branding = { name: 'Gatehouse' };

/** A page before the shell: what each render function returns and sendPage wraps with the platform's branding. */
export interface LayoutInput {
  /** The page's own title; " · <product name>" is appended. */
  title: string;
  body: SafeHtml;
  /** narrow (default) for forms and messages, wide for lists. */
  width?: 'narrow' | 'wide';
  /** Extra <head> markup (the signed-out page's refresh to the client). */
  head?: SafeHtml;
  /** Whether the page has <time data-local> elements (then it carries the local-time script). */
  localTimes?: boolean;
}

export type Page = LayoutInput;

/** WCAG relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** The brand colour as the primary button's colours; the text on it is black or white, whichever contrasts more. */
function brandCss(color: string | undefined): string {
  if (!color || !/^#[0-9a-f]{6}$/i.test(color)) return '';
  const l = luminance(color);
  const onPrimary = (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#111827' : '#ffffff';
  // The same colour in both schemes: a brand colour is the brand's, and the button text keeps its contrast.
  return `:root{--primary:${color};--primary-hover:${color};--on-primary:${onPrimary}}\n.button.primary:hover{filter:brightness(.92)}`;
}

/** The CSP sources for a page's <style> elements under a given branding (the screenshot run serves pages with them). */
export function pageStyleCspSources(branding: Branding = DEFAULT_BRANDING): string {
  const extra = brandCss(branding.primaryColor);
  return extra ? `${PAGE_STYLE_CSP_SOURCE} ${sha256(extra)}` : PAGE_STYLE_CSP_SOURCE;
}

export function renderLayout(input: LayoutInput, branding: Branding = DEFAULT_BRANDING): string {
  const cardClass = input.width === 'wide' ? 'card wide' : 'card';
  const extraCss = brandCss(branding.primaryColor);
  // The logo stands for the name (alt text), so the name is not said twice.
  const mark = branding.logo
    ? html`<img src="${branding.logo}" alt="${branding.name}">`
    : html`${icons.logo}<span>${branding.name}</span>`;
  const links = [
    branding.supportUrl ? html`<a href="${branding.supportUrl}">Help</a>` : '',
    branding.privacyUrl ? html`<a href="${branding.privacyUrl}">Privacy</a>` : '',
  ].filter((link) => link !== '');
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${input.title} · ${branding.name}</title>
<style>${unsafeRaw(CSS)}</style>
${extraCss ? html`<style>${unsafeRaw(extraCss)}</style>\n` : ''}${input.head ?? ''}</head>
<body>
<header class="brand">${mark}</header>
<main class="${cardClass}">
${input.body}
</main>
${links.length > 0 ? html`<footer class="links">${links}</footer>\n` : ''}${input.localTimes ? html`<script>${unsafeRaw(LOCAL_TIME_SCRIPT)}</script>\n` : ''}</body>
</html>
`}`;
}
