// GET /v1/contacts: basic contact search by company, title words, seniority and department. No
// email or phone; `subscribed` for each. Free; needs `api_basic`.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { searchContacts } from '../../../app/search/search_contacts.ts';
import { categorySchema } from '../../../app/catalog/import_schemas.ts';
import { queryWords } from '../../../domain/search/text.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { cursorSchema, errorResponse, idSchema, limitSchema, listResponse, searchTextSchema } from '../../schemas.ts';
import { queryCharsMax } from './companies_list.ts';

export const contactCoreSchema = z.object({
  id: z.string(),
  company_id: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  subscribed: z.boolean().describe('whether the account holds an active subscription to this contact'),
});

// Strict: a misspelt filter (`?companyId=`) is refused, not ignored, which would list every contact.
export const contactsQuery = z.strictObject({
  company_id: idSchema.optional(),
  title: searchTextSchema(queryCharsMax).optional().describe('1 to 8 words (letters or digits) that each start a word of the job title'),
  seniority: categorySchema.optional().describe('c_level, vp, director, manager, senior or entry'),
  department: categorySchema.optional().describe('engineering, sales, marketing, finance, operations, hr, legal, product or executive'),
  limit: limitSchema,
  cursor: cursorSchema,
});

export function registerContactsList(app: RouteApp, context: AppContext): void {
  app.get(
    '/contacts',
    {
      schema: {
        summary: 'Search contacts (basic)',
        description: 'By company, title words, seniority and department; results in id order. Free; needs api_basic.',
        tags: ['search'],
        querystring: contactsQuery,
        response: { 200: listResponse(contactCoreSchema), 400: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!requireFeature(request, reply, principal.channelFeature)) return reply;
      const query = request.query;
      const result = await searchContacts(context, {
        accountId: principal.account.id,
        filter: {
          companyId: query.company_id,
          titleWords: query.title === undefined ? undefined : queryWords(query.title),
          seniority: query.seniority,
          department: query.department,
        },
        cursor: query.cursor,
        limit: query.limit,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
