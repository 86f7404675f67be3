// Signals, financials and news: lists behind the company's subscription (DESIGN.md rule 4).
// Reading one for an unsubscribed company starts the company's subscription.
//
// Lists as API.md's convention has them: `?limit=` and `?cursor=`, and `next_cursor`. A company
// holds at most a hundred of each (the import's bounds), so a page holds them all unless the
// caller asks for fewer; the cursor names the company, the list and the position of the next
// item. A cursor that is not one this list made (another company's, another list's, past its
// end) is refused before anything is charged. The list is in the catalog's order (news newest
// first), so a re-import between two pages may shift it.
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
      const companyId = request.params.id;
      const list = { company: companyId, part: part.path };
      const start = startOf(request.query.cursor, list);
      const refused = fail('invalid_request', 'cursor: not a cursor of this list', 'cursor');
      if (start === null) return sendFailure(request, reply, refused);
      // Reading the list is free (only the subscription charges), so it is read first: a cursor
      // past its end is refused before the read that would charge for an empty page.
      const items = await part.load(context.store.db, companyId);
      if (start > 0 && start >= items.length) return sendFailure(request, reply, refused);
      const end = start + request.query.limit;
      return replyWithRecord(context, request, reply, {
        type: 'company',
        id: companyId,
        load: async () => ((await context.store.reads.company(companyId)) ? { data: items.slice(start, end), deliverable: true } : null),
        extra: { next_cursor: end < items.length ? encodeCursor({ ...list, position: end }) : null },
      });
    },
  );
}

/** The position a cursor starts at: 0 without one, null for a cursor that this list did not make. */
function startOf(cursor: string | undefined, list: { company: string; part: string }): number | null {
  if (cursor === undefined) return 0;
  const value = decodeCursor(cursor);
  const position = value?.['position'];
  if (value?.['company'] !== list.company || value['part'] !== list.part) return null;
  return typeof position === 'number' && Number.isSafeInteger(position) && position > 0 ? position : null;
}
