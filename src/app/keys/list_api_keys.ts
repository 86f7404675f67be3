// An account's API keys for the web app's keys page: newest first, the prefix only (the secret
// was shown once, at creation, and is not stored).
import { listApiKeys as listApiKeyRows } from '../../store/api_keys.ts';
import { afterIdOf, encodeCursor } from '../../lib/cursor.ts';
import { toIso } from '../../lib/clock.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';

export interface ApiKeyView {
  id: string;
  name: string | null;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
}

export async function listApiKeys(
  context: AppContext,
  query: { accountId: string; includeRevoked: boolean; cursor?: string | undefined; limit: number },
): Promise<Result<{ data: ApiKeyView[]; next_cursor: string | null }>> {
  const beforeId = afterIdOf(query.cursor);
  if (beforeId === null) return fail('invalid_request', 'cursor is not valid', 'cursor');
  const rows = await listApiKeyRows(context.store.db, query.accountId, { limit: query.limit + 1, beforeId, includeRevoked: query.includeRevoked });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    ok: true,
    data: page.map((row) => ({
      id: row.id,
      name: row.name,
      prefix: row.token_prefix,
      created_at: toIso(row.created_at),
      revoked_at: row.revoked_at === null ? null : toIso(row.revoked_at),
    })),
    next_cursor: rows.length > query.limit && last ? encodeCursor({ after: last.id }) : null,
  };
}
