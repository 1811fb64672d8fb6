// Sending a rendered HTML page: never cached, since pages carry CSRF tokens and user data.
import type { FastifyReply } from 'fastify';

export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(html);
}
