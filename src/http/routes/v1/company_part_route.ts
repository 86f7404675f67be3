// Signals, financials and news: lists behind the company's subscription (DESIGN.md rule 4).
// Reading one for an unsubscribed company starts the company's subscription.
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../../app/context.ts';
import type { Database } from '../../../store/schema.ts';
import type { RouteApp } from '../../route_app.ts';
import { errorResponse, idParams } from '../../schemas.ts';
import { recordEnvelope, replyWithRecord } from './record_read_reply.ts';

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
        description: "Free when the company is subscribed; otherwise 1 credit starts the company's subscription.",
        tags: ['records'],
        params: idParams,
        response: { 200: recordEnvelope(z.array(part.item)), 402: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) =>
      replyWithRecord(context, request, reply, {
        type: 'company',
        id: request.params.id,
        load: async () => {
          const { db } = context.store;
          if (!(await context.store.reads.company(request.params.id))) return null;
          return { data: await part.load(db, request.params.id), deliverable: true };
        },
      }),
  );
}
