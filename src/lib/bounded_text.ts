// The rule of free text written by people (account and key names, notes): trimmed, not empty,
// bounded, without NUL (which PostgreSQL cannot store). The HTTP schemas check it first
// (http/schemas.ts, textSchema); the use cases check it again for every other caller (the CLI).
import { unprocessable, type Failure } from './result.ts';

/** `text` trimmed, or the refusal (422 on `field`) saying what is wrong with it. */
export function boundedText(field: string, text: string, charsMax: number): string | Failure {
  const trimmed = text.trim();
  if (trimmed.length === 0) return unprocessable(`${field} must not be empty`, field);
  if (trimmed.length > charsMax) return unprocessable(`${field} must be at most ${charsMax} characters`, field);
  if (trimmed.includes('\u0000')) return unprocessable(`${field} must not contain NUL characters`, field);
  return trimmed;
}
