// Sending a rendered HTML page: never cached, since pages carry CSRF tokens and user data. The page gets its shell
// here, with the platform's branding, so no route has to pass the branding along.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Branding } from '../config.js';
import { renderLayout, type Page } from './pages/layout.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The branding of the app's pages (config.branding), set once by the app that serves them. */
    pageBranding?: Branding;
  }
}

/** Makes every page this app (and its plugins) sends carry the platform's branding. */
export function usePageBranding(app: FastifyInstance, branding: Branding): void {
  app.decorate('pageBranding', branding);
}

export function sendPage(reply: FastifyReply, status: number, page: Page): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(renderLayout(page, reply.server.pageBranding));
}
