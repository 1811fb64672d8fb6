// Admin API errors: JSON {error, error_description} with a 4xx for anything the caller sent wrong.
// Only a fault on our side is a 5xx, and it never echoes internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AlreadyExists, NotFound } from '../../admin/errors.js';
import { AccountInputError } from '../../domain/accounts.js';
import { ClientInputError } from '../../domain/clients.js';
import { ResourceInputError } from '../../domain/resources.js';
import { DuplicateError } from '../../store/errors.js';
import { ChallengeError } from '../../oauth/delegated/errors.js';
import { NO_CONTROL_CHARACTERS } from './routes/schemas.js';

export type AdminErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'invalid_token'
  | 'forbidden'
  | 'not_found'
  | 'misdirected_request'
  | 'conflict'
  | 'gone'
  | 'server_error';

export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly error: AdminErrorCode,
    description: string,
  ) {
    super(description);
    this.name = 'AdminError';
  }
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** One sentence naming the field and what it must be: `body/grant_types/0 must be one of authorization_code, …`. */
export function describeValidation(context: string, issues: ValidationIssue[]): string {
  // The only anyOf in the admin schemas is a lifetime (seconds or a duration string); its branch errors add nothing.
  const issue = issues.find((i) => i.keyword === 'anyOf') ?? issues[0];
  if (!issue) return `${context} is not valid`;
  const where = `${context}${issue.instancePath}`;
  const params = issue.params as { additionalProperty?: string; allowedValues?: unknown[] };
  switch (issue.keyword) {
    case 'additionalProperties':
      return `${where} has an unknown property "${params.additionalProperty}"`;
    case 'enum':
      return `${where} must be one of ${(params.allowedValues ?? []).join(', ')}`;
    case 'anyOf':
      return `${where} must be whole seconds or a duration such as "90s", "10m", "1h" or "30d"`;
    case 'pattern':
      return (params as { pattern?: string }).pattern === NO_CONTROL_CHARACTERS ? `${where} must not contain control characters` : `${where} ${issue.message ?? 'is not valid'}`;
    default:
      return `${where} ${issue.message ?? 'is not valid'}`;
  }
}

function errorBody(error: AdminErrorCode, description: string): { error: AdminErrorCode; error_description: string } {
  return { error, error_description: description };
}

export function adminErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AdminError) return reply.code(error.status).send(errorBody(error.error, error.message));
  if (error instanceof NotFound) return reply.code(404).send(errorBody('not_found', error.message));
  if (error instanceof ChallengeError) return reply.code(error.status).send(errorBody(error.code, error.message));
  if (error instanceof AlreadyExists) return reply.code(409).send(errorBody('conflict', error.message));
  if (error instanceof ClientInputError || error instanceof AccountInputError || error instanceof ResourceInputError) {
    return reply.code(400).send(errorBody('invalid_request', error.message));
  }
  if (error instanceof DuplicateError) return reply.code(409).send(errorBody('conflict', error.message));
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return reply.code(400).send(errorBody('invalid_request', describeValidation(fastifyError.validationContext ?? 'request', fastifyError.validation)));
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return reply.code(fastifyError.statusCode).send(errorBody('invalid_request', fastifyError.message));
  }
  request.log.error({ err: error }, 'admin API: unexpected error');
  return reply.code(500).send(errorBody('server_error', 'the server hit an unexpected error; it has been logged'));
}
