// Describing Fastify's own errors (bad media type, body too large, malformed body) in words a client can act on.
import type { FastifyError } from 'fastify';

export function describeFrameworkError(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'the request body must be application/x-www-form-urlencoded';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is too large';
    case 'FST_ERR_BAD_URL':
      return 'the address is not a valid URL (a "%" must be followed by two hexadecimal digits)';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the request body is malformed';
    default:
      return error.message.replace(/^FST_\w+: /, '');
  }
}
