// GET /v1/companies/{id}/financials
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { getCompanyFinancials } from '../../../store/catalog.ts';
import type { RouteApp } from '../../route_app.ts';
import { registerCompanyPartRoute } from './company_part_route.ts';

export const financialSchema = z.object({
  year: z.number().int(),
  revenue_usd: z.number().nullable(),
  employees: z.number().int().nullable(),
});

export function registerCompaniesFinancialsList(app: RouteApp, context: AppContext): void {
  registerCompanyPartRoute(app, context, {
    path: 'financials',
    summary: "A company's yearly financials, latest year first",
    item: financialSchema,
    load: getCompanyFinancials,
  });
}
