// The error model of API.md: `{"error": {"code", "message", "request_id"}}`, and one exhaustive
// switch from code to HTTP status (STYLE.md rule 5).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode, Failure } from '../lib/result.ts';
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
