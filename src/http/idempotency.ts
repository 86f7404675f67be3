// The `Idempotency-Key` header: a repeat with the same key and request returns the first
// response; the same key with another request is 409. The fingerprint is a hash of the method,
// the route with its parameters, and the body.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { IdempotencyClaim } from '../store/idempotency.ts';
import { fail, type Failure } from '../lib/result.ts';

export const idempotencyKeyCharsMax = 255;

export function idempotencyClaim(
  request: FastifyRequest,
  scope: IdempotencyClaim['scope'],
  accountId: string,
  /** What the fingerprint covers: the body by default; a route leaves secrets (passwords) out. */
  fingerprintBody: unknown = request.body,
): IdempotencyClaim | undefined | Failure {
  const key = idempotencyKeyOf(request);
  if (key === undefined || isFailure(key)) return key;
  return { accountId, scope, key, fingerprint: requestFingerprint(request, JSON.stringify(fingerprintBody ?? null)) };
}

/** The request's Idempotency-Key: undefined without one, a failure when it is malformed. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined | Failure {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || header.length === 0 || header.length > idempotencyKeyCharsMax || !/^[\x20-\x7e]+$/.test(header)) {
    return fail('invalid_request', `Idempotency-Key must be 1 to ${idempotencyKeyCharsMax} printable characters`, 'Idempotency-Key');
  }
  return header;
}

/** The hash of the method, the route with its parameters, and `body` (as text, or a digest of a streamed body). */
export function requestFingerprint(request: FastifyRequest, body: string): string {
  return createHash('sha256').update(`${request.method} ${request.url.split('?')[0]} ${body}`).digest('hex');
}

export function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}
