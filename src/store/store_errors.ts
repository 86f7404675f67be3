// Failures of the database that are nobody's bug and pass: the caller may simply retry later.

/**
 * SQLite: another process held the database's write lock for longer than a transaction waits for
 * it (a `quarry import` of a large catalog holds it for the whole load). The
 * HTTP layer answers 503 `unavailable` with Retry-After.
 */
export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
}
