// The public port's pino logger, with everything that could carry a secret kept out of the log, and the one
// request line both edges write.
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
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

/** Levels at which every request is logged. */
const LOGS_REQUESTS = new Set(['info', 'debug', 'trace']);

/** Whether requests are logged at the logger's level, so a caller can skip timing them otherwise. */
export function logsRequests(log: FastifyBaseLogger): boolean {
  return LOGS_REQUESTS.has(log.level);
}

export interface RequestLine {
  id: string;
  method: string;
  url: string;
  ip: string;
  statusCode: number;
  responseTime: number;
}

/** The one line per answered request, on both edges (the `req` serializer above keeps the path only). */
export function logRequestCompleted(log: FastifyBaseLogger, line: RequestLine): void {
  log.info({
    reqId: line.id,
    req: { method: line.method, url: line.url, id: line.id, ip: line.ip },
    res: { statusCode: line.statusCode },
    responseTime: line.responseTime,
  }, 'request completed');
}

/** Fastify's request logging, reduced to the same one line (errored requests keep Fastify's own line). */
export class RequestLines extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    if (!logsRequests(request.log)) return;
    // The server's logger, not the request's child: the line names its reqId itself, as on the direct edge.
    logRequestCompleted(request.server.log, { id: request.id, method: request.method, url: request.url, ip: request.ip, statusCode: reply.statusCode, responseTime: reply.elapsedTime });
  }
}
