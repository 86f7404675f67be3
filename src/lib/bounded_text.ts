// The rule of free text written by people (account and key names, notes): trimmed, not empty,
// bounded, without NUL (which PostgreSQL cannot store). The HTTP schemas check it first
// (http/schemas.ts, textSchema); the use cases check it again for every other caller (the CLI).

/** What is wrong with `text` (already trimmed), or null when nothing is. */
export function boundedTextProblem(text: string, charsMax: number): string | null {
  if (text.length === 0) return 'must not be empty';
  if (text.length > charsMax) return `must be at most ${charsMax} characters`;
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  return null;
}
