// Opaque pagination cursors: a small JSON value in base64url. A cursor that does not decode is
// an `invalid_request`, never a crash.
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Page sizes: every list is bounded (STYLE.md rule 11). */
export const pageLimitDefault = 50;
export const pageLimitMax = 500;

/**
 * The id a cursor of the form `{after: id}` points after: `undefined` for no cursor (the first
 * page), `null` for a cursor that is not one of ours.
 */
export function afterIdOf(cursor: string | undefined): string | undefined | null {
  if (cursor === undefined) return undefined;
  const after = decodeCursor(cursor)?.['after'];
  return typeof after === 'string' && cursorIdPattern.test(after) ? after : null;
}

/** Every id Quarry makes or imports: printable ASCII without spaces, at most 128 characters. */
export const cursorIdPattern = /^[\x21-\x7e]{1,128}$/;
