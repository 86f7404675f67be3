// Failures of the database that are nobody's bug and pass: the caller may simply retry later.

/**
 * SQLite: another process held the database's write lock for longer than a transaction waits for
 * it (a `quarry import` of a large catalog holds it for the whole load). The
 * HTTP layer answers 503 `unavailable` with Retry-After.
 */
export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
}

/**
 * better-sqlite3's own "database is locked" (SQLITE_BUSY and its extended codes): a write outside
 * a write transaction (which retries) that found the lock taken past the connection's short wait.
 */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}
