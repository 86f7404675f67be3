// Expected outcomes are values (STYLE.md rule 5). The codes are the closed list of API.md; the
// HTTP layer maps each to its status in one exhaustive switch (src/http/errors.ts).

export type ErrorCode =
  | 'unauthorized'
  | 'insufficient_credits'
  | 'feature_not_in_plan'
  | 'forbidden'
  | 'not_found'
  | 'idempotency_conflict'
  | 'invalid_request'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface Failure {
  ok: false;
  code: ErrorCode;
  message: string;
  /** The request field at fault, for `invalid_request`. */
  field?: string;
  /**
   * For `invalid_request`: the request was well-formed but cannot be carried out as asked
   * (HTTP 422 rather than 400), e.g. an adjustment larger than the balance.
   */
  unprocessable?: boolean;
}

export type Result<T> = ({ ok: true } & T) | Failure;

export function fail(code: ErrorCode, message: string, field?: string): Failure {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}

/** A well-formed request that cannot be carried out as asked (422). */
export function unprocessable(message: string, field?: string): Failure {
  return { ...fail('invalid_request', message, field), unprocessable: true };
}
