// GET /v1/companies/{id}/news
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { getCompanyNews } from '../../../store/catalog.ts';
import type { RouteApp } from '../../route_app.ts';
import { registerCompanyPartRoute } from './company_part_route.ts';

export const newsItemSchema = z.object({
  title: z.string(),
  url: z.string().nullable(),
  source: z.string().nullable(),
  published_at: z.string().nullable(),
  summary: z.string().nullable(),
});

export function registerCompaniesNewsList(app: RouteApp, context: AppContext): void {
  registerCompanyPartRoute(app, context, {
    path: 'news',
    summary: 'News about a company, newest first',
    item: newsItemSchema,
    load: getCompanyNews,
  });
}
