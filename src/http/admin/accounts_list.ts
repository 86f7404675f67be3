// GET /admin/v1/accounts: find accounts by name or id.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { listAccounts } from '../../store/accounts.ts';
import { afterIdOf, encodeCursor } from '../../lib/cursor.ts';
import { toIso } from '../../lib/clock.ts';
import { fail } from '../../lib/result.ts';
import type { RouteApp } from '../route_app.ts';
import { sendFailure } from '../errors.ts';
import { cursorSchema, errorResponse, limitSchema, listResponse, textSchema } from '../schemas.ts';

const accountListItem = z.object({ id: z.string(), name: z.string(), plan_id: z.string(), balance: z.number().int(), created_at: z.string() });

export function registerAccountsList(app: RouteApp, context: AppContext): void {
  app.get(
    '/accounts',
    {
      schema: {
        summary: 'List or find accounts',
        tags: ['operator'],
        querystring: z.strictObject({ q: textSchema(200).optional(), limit: limitSchema, cursor: cursorSchema }),
        response: { 200: listResponse(accountListItem), 400: errorResponse },
      },
    },
    async (request, reply) => {
      const { q, limit, cursor } = request.query;
      const afterId = afterIdOf(cursor);
      if (afterId === null) {
        return sendFailure(request, reply, fail('invalid_request', 'cursor is not valid', 'cursor'));
      }
      const rows = await listAccounts(context.store.db, { limit: limit + 1, afterId, query: q });
      const page = rows.slice(0, limit);
      return {
        data: page.map((row) => ({ id: row.id, name: row.name, plan_id: row.plan_id, balance: row.balance, created_at: toIso(row.created_at) })),
        next_cursor: rows.length > limit ? encodeCursor({ after: page.at(-1)!.id }) : null,
      };
    },
  );
}
