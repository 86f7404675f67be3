// GET /v1/companies/{id}: a company's deep data. 1 credit unless subscribed.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { companyRecord } from '../../../store/catalog.ts';
import type { RouteApp } from '../../route_app.ts';
import { errorResponse, idParams } from '../../schemas.ts';
import { recordEnvelope, replyWithRecord } from './record_read_reply.ts';

export const companySchema = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.string().nullable(),
  industry: z.string().nullable(),
  employees: z.number().int().nullable(),
  revenue_usd: z.number().nullable(),
  country: z.string().nullable(),
  city: z.string().nullable(),
  founded: z.number().int().nullable(),
  description: z.string().nullable(),
  technologies: z.array(z.string()),
  ip_ranges: z.array(z.string()),
});

export function registerCompaniesGet(app: RouteApp, context: AppContext): void {
  app.get(
    '/companies/:id',
    {
      schema: {
        summary: "Read a company's deep data",
        description: 'Costs 1 credit and starts a 12-month subscription unless the account already has one.',
        tags: ['records'],
        params: idParams,
        response: { 200: recordEnvelope(companySchema), 402: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) =>
      replyWithRecord(context, request, reply, {
        type: 'company',
        id: request.params.id,
        load: async () => {
          const row = await context.store.reads.company(request.params.id);
          return row ? { data: companyRecord(row), deliverable: true } : null;
        },
      }),
  );
}
