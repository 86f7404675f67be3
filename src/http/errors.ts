// The error model of API.md: `{"error": {"code", "message", "request_id"}}`, and one exhaustive
// switch from code to HTTP status (STYLE.md rule 5).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DatabaseBusyError, isSqliteBusy } from '../store/store_errors.ts';
import { fail, type ErrorCode, type Failure } from '../lib/result.ts';
import { assertNever } from '../lib/assert.ts';

export function statusFor(failure: Pick<Failure, 'code' | 'unprocessable'>): number {
  const code: ErrorCode = failure.code;
  switch (code) {
    case 'unauthorized':
      return 401;
    case 'insufficient_credits':
      return 402;
    case 'feature_not_in_plan':
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'idempotency_conflict':
      return 409;
    case 'invalid_request':
      return failure.unprocessable ? 422 : 400;
    case 'payload_too_large':
      return 413;
    case 'rate_limited':
      return 429;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
    default:
      return assertNever(code, 'unknown error code');
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; field?: string };
}

export function errorBody(failure: Failure, requestId: string): ErrorBody {
  const error: ErrorBody['error'] = { code: failure.code, message: failure.message, request_id: requestId };
  if (failure.field !== undefined) error.field = failure.field;
  return { error };
}

/** Retry-After of a 503 `unavailable`: a catalog import holding SQLite's write lock lasts seconds to minutes. */
export const busyRetryAfterSeconds = 5;

export function sendFailure(request: FastifyRequest, reply: FastifyReply, failure: Failure): FastifyReply {
  if (failure.code === 'unauthorized') reply.header('WWW-Authenticate', 'Bearer');
  if (failure.code === 'unavailable') reply.header('Retry-After', String(busyRetryAfterSeconds));
  return reply.code(statusFor(failure)).send(errorBody(failure, request.id));
}

/** JSON bodies larger than this are refused with 413 (catalog imports stream and have their own bound). */
export const bodyBytesMax = 1024 * 1024;

/** Answers an error thrown while handling a request, in the documented shape (every scope's error handler). */
export function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const failure = failureFromError(error);
  if (failure.code === 'internal') request.log.error({ err: error }, 'request failed');
  if (failure.code === 'unavailable') request.log.warn({ err: error }, 'the database was busy');
  return sendFailure(request, reply, failure);
}

/** Maps framework errors (validation, parsing, limits) to the documented codes. */
export function failureFromError(error: FastifyError): Failure {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    const path = issue?.instancePath?.replace(/^\//, '').replaceAll('/', '.') ?? '';
    const field = [error.validationContext, path].filter(Boolean).join('.');
    return fail('invalid_request', `${field || 'request'}: ${issue?.message ?? 'invalid'}`, field || undefined);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return fail('payload_too_large', `the body is larger than ${bodyBytesMax} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return fail('invalid_request', 'unsupported Content-Type: send application/json', 'Content-Type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return fail('invalid_request', 'the body is empty; send a JSON object', 'body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fail('invalid_request', 'Content-Length does not match the body');
    default:
      break;
  }
  if (error instanceof DatabaseBusyError || isSqliteBusy(error)) {
    return fail('unavailable', 'the database is busy with a catalog load; retry after Retry-After seconds');
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return fail('invalid_request', 'the body is not valid JSON', 'body');
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return fail('payload_too_large', error.message);
  if (status >= 400 && status < 500) return fail('invalid_request', error.message);
  return fail('internal', 'internal error');
}
