// GET /v1/companies/{id}/signals
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { getCompanySignals } from '../../../store/catalog.ts';
import type { RouteApp } from '../../route_app.ts';
import { registerCompanyPartRoute } from './company_part_route.ts';

export const signalSchema = z.object({ type: z.string(), title: z.string(), occurred_at: z.string() });

export function registerCompaniesSignalsList(app: RouteApp, context: AppContext): void {
  registerCompanyPartRoute(app, context, {
    path: 'signals',
    summary: "A company's signals (funding, hiring, leadership changes…), newest first",
    item: signalSchema,
    load: getCompanySignals,
  });
}
