// Session tokens: random secrets (256 bits) kept only in the browser's HttpOnly cookie; the
// database keeps their SHA-256 hash, as for API keys. The prefix says whose session it is
// (a customer user's or an operator's), so a lookup reads one table.
//
// The CSRF token is an HMAC of a fixed label keyed by the session token: the server recomputes
// it from the cookie on every request, nothing more is stored, and a page that cannot read the
// HttpOnly cookie (another site) cannot compute it. It differs from the stored hash, so a copy
// of the database does not yield CSRF tokens either.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { newSecret } from '../../lib/ids.ts';
import { hashSecret } from '../keys/api_key_secret.ts';

export const sessionCookieName = 'quarry_session';
/** A session lasts this long from sign-in (wall time: the manual test clock does not move it). */
export const sessionLifetimeMs = 7 * 24 * 60 * 60 * 1000;
/** Tokens longer than this are not ours: refused before hashing. */
export const sessionTokenCharsMax = 100;

export type SessionKind = 'user' | 'operator';

const sessionPrefixes: Record<SessionKind, string> = { user: 'qss', operator: 'qos' };

export function newSessionToken(kind: SessionKind): string {
  return newSecret(sessionPrefixes[kind]);
}

export function sessionKindOf(token: string): SessionKind | undefined {
  if (token.length === 0 || token.length > sessionTokenCharsMax) return undefined;
  if (token.startsWith(`${sessionPrefixes.user}_`)) return 'user';
  if (token.startsWith(`${sessionPrefixes.operator}_`)) return 'operator';
  return undefined;
}

export const hashSessionToken = hashSecret;

export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('quarry csrf token v1').digest('base64url');
}

/** Compares a presented CSRF token with the session's in constant time (hashes make the lengths equal). */
export function csrfTokenMatches(sessionToken: string, presented: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(csrfTokenFor(sessionToken)), digest(presented));
}
