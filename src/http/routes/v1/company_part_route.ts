// Signals, financials and news: lists behind the company's subscription (DESIGN.md rule 4).
// Reading one for an unsubscribed company starts the company's subscription.
//
// Lists as API.md's convention has them: `?limit=` and `?cursor=`, and `next_cursor`. A company
// holds at most a hundred of each (the import's bounds), so a page holds them all unless the
// caller asks for fewer; the cursor is the position of the next item. A cursor that is not one
// of ours is refused before anything is read or charged.
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../../app/context.ts';
import type { Database } from '../../../store/schema.ts';
import type { RouteApp } from '../../route_app.ts';
import { decodeCursor, encodeCursor, pageLimitMax } from '../../../lib/cursor.ts';
import { fail } from '../../../lib/result.ts';
import { sendFailure } from '../../errors.ts';
import { cursorSchema, errorResponse, idParams } from '../../schemas.ts';
import { recordEnvelope, replyWithRecord } from './record_read_reply.ts';

/** The part lists' query: their default page is the whole list (at most 100 items), so a client that pages nothing gets everything. */
const partQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(pageLimitMax).default(pageLimitMax),
  cursor: cursorSchema,
});

export function registerCompanyPartRoute<T>(
  app: RouteApp,
  context: AppContext,
  part: { path: string; summary: string; item: z.ZodType; load: (db: Kysely<Database>, companyId: string) => Promise<T[]> },
): void {
  app.get(
    `/companies/:id/${part.path}`,
    {
      schema: {
        summary: part.summary,
        description: "Free when the company is subscribed; otherwise 1 credit starts the company's subscription (whichever page is read).",
        tags: ['records'],
        params: idParams,
        querystring: partQuery,
        response: {
          200: recordEnvelope(z.array(part.item)).extend({ next_cursor: z.string().nullable() }),
          400: errorResponse,
          402: errorResponse,
          404: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const start = startOf(request.query.cursor);
      if (start === null) return sendFailure(request, reply, fail('invalid_request', 'cursor: not a cursor of this list', 'cursor'));
      let nextCursor: string | null = null;
      return replyWithRecord(context, request, reply, {
        type: 'company',
        id: request.params.id,
        load: async () => {
          const { db } = context.store;
          if (!(await context.store.reads.company(request.params.id))) return null;
          const items = await part.load(db, request.params.id);
          const end = start + request.query.limit;
          nextCursor = end < items.length ? encodeCursor({ position: end }) : null;
          return { data: items.slice(start, end), deliverable: true };
        },
        extra: () => ({ next_cursor: nextCursor }),
      });
    },
  );
}

/** The position a cursor starts at: 0 without one, null for a cursor that is not ours. */
function startOf(cursor: string | undefined): number | null {
  if (cursor === undefined) return 0;
  const position = decodeCursor(cursor)?.['position'];
  return typeof position === 'number' && Number.isSafeInteger(position) && position > 0 ? position : null;
}
