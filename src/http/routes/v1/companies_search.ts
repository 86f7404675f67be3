// POST /v1/companies/search: advanced search. Free text over name and description, firmographic
// ranges, technologies (all of), signals by type and date, news text and date; every filter
// narrows the result. Results in id order with a cursor. Free; needs `api_advanced`.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { searchCompanies } from '../../../app/search/search_companies.ts';
import {
  categorySchema,
  countrySchema,
  employeesMax,
  foundedYearMin,
  industryLengthMax,
  revenueUsdMax,
  technologyLengthMax,
  yearMax,
} from '../../../app/catalog/import_schemas.ts';
import type { CompanyFilter } from '../../../domain/search/filters.ts';
import { queryWords } from '../../../domain/search/text.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { bodyLimitSchema, cursorSchema, errorResponse, instantSchema, listResponse, searchTextSchema, textSchema } from '../../schemas.ts';
import { companyCoreSchema, queryCharsMax } from './companies_list.ts';

/** "Any of" lists: enough for every real filter, small enough to keep each query cheap. */
export const filterValuesMax = 50;
export const countriesMax = 250;
export const technologiesMax = 20;

function rangeSchema(minimum: number, maximum: number) {
  const bound = z.number().int().min(minimum).max(maximum);
  return z
    .strictObject({ min: bound.optional(), max: bound.optional() })
    .refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, {
      message: 'min must not be greater than max',
      path: ['min'],
    });
}

export const companySearchBody = z.strictObject({
  query: searchTextSchema(queryCharsMax).optional().describe('1 to 8 words (letters or digits) that each start a word of the name or the description'),
  industries: z.array(textSchema(industryLengthMax)).max(filterValuesMax).optional().describe('any of, as the catalog spells them'),
  countries: z.array(countrySchema).max(countriesMax).optional().describe('any of, ISO 3166 alpha-2'),
  employees: rangeSchema(0, employeesMax).optional(),
  revenue_usd: rangeSchema(0, revenueUsdMax).optional(),
  founded: rangeSchema(foundedYearMin, yearMax).optional(),
  technologies: z.array(textSchema(technologyLengthMax)).max(technologiesMax).optional().describe('all of'),
  signals: z
    .strictObject({
      types: z.array(categorySchema).max(filterValuesMax).optional().describe('any of, e.g. funding_round, hiring'),
      since: instantSchema.optional(),
    })
    .optional()
    .describe('companies with at least one such signal'),
  news: z
    .strictObject({
      query: searchTextSchema(queryCharsMax).optional().describe('1 to 8 words (letters or digits) that each start a word of the title or summary'),
      since: instantSchema.optional(),
    })
    .optional()
    .describe('companies with at least one such news item'),
  limit: bodyLimitSchema,
  cursor: cursorSchema,
});

export type CompanySearchBody = z.infer<typeof companySearchBody>;

/** The validated body as the store's filter. */
export function companyFilterOf(body: CompanySearchBody): CompanyFilter {
  const words = body.query === undefined ? [] : queryWords(body.query);
  return {
    text: words.length > 0 ? { words, fields: 'name_description' } : undefined,
    industries: body.industries,
    countries: body.countries,
    employees: body.employees,
    revenueUsd: body.revenue_usd,
    founded: body.founded,
    technologies: body.technologies,
    signals: body.signals,
    news: body.news && { words: body.news.query === undefined ? undefined : queryWords(body.news.query), since: body.news.since },
  };
}

export function registerCompaniesSearch(app: RouteApp, context: AppContext): void {
  app.post(
    '/companies/search',
    {
      schema: {
        summary: 'Search companies (advanced)',
        description:
          'Every filter given must hold. Text matches words that start with each query word. Results in id order; pass next_cursor back as cursor for the next page. Free; needs api_advanced.',
        tags: ['search'],
        body: companySearchBody,
        response: { 200: listResponse(companyCoreSchema), 400: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!requireFeature(request, reply, principal.channelFeature)) return reply;
      if (!requireFeature(request, reply, 'api_advanced')) return reply;
      const result = await searchCompanies(context, {
        accountId: principal.account.id,
        filter: companyFilterOf(request.body),
        cursor: request.body.cursor,
        limit: request.body.limit,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
