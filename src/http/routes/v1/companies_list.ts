// GET /v1/companies: basic search by name or domain words (`q`), exact domain, and country. Core
// identifiers only, with `subscribed`. Free; needs `api_basic`.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { searchCompanies } from '../../../app/search/search_companies.ts';
import { countrySchema } from '../../../app/catalog/import_schemas.ts';
import { normalizeDomain } from '../../../domain/search/filters.ts';
import { queryWords } from '../../../domain/search/text.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { cursorSchema, errorResponse, limitSchema, listResponse, searchTextSchema, textSchema } from '../../schemas.ts';

/** Free-text queries: longer ones are refused rather than silently cut. */
export const queryCharsMax = 200;
export const domainCharsMax = 253;

export const companyCoreSchema = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.string().nullable(),
  country: z.string().nullable(),
  subscribed: z.boolean().describe('whether the account holds an active subscription to this company'),
});

// Strict: a misspelt filter (`?contry=DE`) is refused, not ignored, which would list the whole catalog.
export const companiesQuery = z.strictObject({
  q: searchTextSchema(queryCharsMax).optional().describe('1 to 8 words (letters or digits) that each start a word of the name or the domain'),
  domain: textSchema(domainCharsMax)
    .refine((value) => normalizeDomain(value) !== '', 'must hold a domain name, like example.com')
    .optional()
    .describe('an exact domain; a scheme, "www." or a path is ignored'),
  country: countrySchema.optional().describe('an ISO 3166 alpha-2 code'),
  limit: limitSchema,
  cursor: cursorSchema,
});

export function registerCompaniesList(app: RouteApp, context: AppContext): void {
  app.get(
    '/companies',
    {
      schema: {
        summary: 'Search companies (basic)',
        description: 'By name or domain words, exact domain and country; results in id order. Free; needs api_basic.',
        tags: ['search'],
        querystring: companiesQuery,
        response: { 200: listResponse(companyCoreSchema), 400: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!requireFeature(request, reply, principal.channelFeature)) return reply;
      const query = request.query;
      const words = query.q === undefined ? [] : queryWords(query.q);
      const result = await searchCompanies(context, {
        accountId: principal.account.id,
        filter: {
          text: words.length > 0 ? { words, fields: 'name_domain' } : undefined,
          domain: query.domain === undefined ? undefined : normalizeDomain(query.domain),
          countries: query.country === undefined ? undefined : [query.country],
        },
        cursor: query.cursor,
        limit: query.limit,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
