// Splitting a long list of rows or ids into statements of bounded size: both databases limit the
// parameters one statement may bind (SQLite 32,766, PostgreSQL 65,535), and a batch may be
// longer than that.

/** `items` in consecutive slices of at most `size` (none for an empty list). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, not ${size}`);
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
