// Fastify's pino logger, with everything that could carry a secret kept out of the log.
import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.js';

export function loggerOptions(level: LogLevel, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'res.headers.location'],
      censor: '[redacted]',
    },
    serializers: {
      // Query strings may hold codes or tokens a client put there by mistake: log the path only.
      req(request: { method: string; url: string; ip?: string; id?: string }) {
        return { method: request.method, path: request.url.split('?')[0], id: request.id, ip: request.ip };
      },
    },
  };
}
