// Rendering errors on the JSON OAuth endpoints: RFC 6749 §5.2 bodies, never a 5xx for bad input.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../oauth/errors.js';

export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  reply.code(error.status).header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
  if (error.basicChallenge) reply.header('WWW-Authenticate', 'Basic realm="gatehouse", charset="UTF-8"');
  return reply.send(error.toJSON());
}

/** Maps framework errors (bad media type, body too large, malformed body) to invalid_request with a precise description. */
export function oauthErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof OAuthError) return sendOAuthError(reply, error);
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const described = describeFrameworkError(error as FastifyError);
    return sendOAuthError(reply, new OAuthError('invalid_request', described, status === 415 || status === 413 ? status : 400));
  }
  request.log.error({ err: error }, 'unexpected error on an OAuth endpoint');
  return sendOAuthError(reply, new OAuthError('server_error', 'the server hit an unexpected error; it has been logged', 500));
}

export function describeFrameworkError(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'the request body must be application/x-www-form-urlencoded';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the request body is malformed';
    default:
      return error.message.replace(/^FST_\w+: /, '');
  }
}
