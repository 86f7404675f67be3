// GET /v1/contacts/{id}: a contact's deep data (email, phone, profile). 1 credit unless
// subscribed; a contact with neither email nor phone costs nothing (DESIGN.md rule 6).
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { contactRecord } from '../../../store/catalog.ts';
import { contactIsDeliverable } from '../../../domain/catalog/records.ts';
import type { RouteApp } from '../../route_app.ts';
import { errorResponse, idParams } from '../../schemas.ts';
import { recordEnvelope, replyWithRecord } from './record_read_reply.ts';

export const contactSchema = z.object({
  id: z.string(),
  company_id: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  title: z.string().nullable(),
  seniority: z.string().nullable(),
  department: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  linkedin_url: z.string().nullable(),
  country: z.string().nullable(),
});

export function registerContactsGet(app: RouteApp, context: AppContext): void {
  app.get(
    '/contacts/:id',
    {
      schema: {
        summary: "Read a contact's deep data",
        description: 'Costs 1 credit and starts a 12-month subscription unless subscribed. A contact with neither email nor phone is free.',
        tags: ['records'],
        params: idParams,
        response: { 200: recordEnvelope(contactSchema), 402: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) =>
      replyWithRecord(context, request, reply, {
        type: 'contact',
        id: request.params.id,
        load: async () => {
          const row = await context.store.reads.contact(request.params.id);
          if (!row) return null;
          const contact = contactRecord(row);
          return { data: contact, deliverable: contactIsDeliverable(contact) };
        },
      }),
  );
}
