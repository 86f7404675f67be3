// Shared by POST /v1/companies/batch and POST /v1/contacts/batch: the body, the response, and the
// handler around app/records/read_records_batch.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { batchIdsMax, readRecordsBatch } from '../../../app/records/read_records_batch.ts';
import type { RecordType } from '../../../store/schema.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { idempotencyClaim, isFailure } from '../../idempotency.ts';
import { idSchema, subscriptionSchema } from '../../schemas.ts';
import { creditsEnvelope } from './record_read_reply.ts';

/** A budget above any balance a request could spend, so `max_credits` stays a safe integer. */
export const maxCreditsMax = 1_000_000_000;

export const batchBody = z.strictObject({
  ids: z.array(idSchema).min(1).max(batchIdsMax).describe(`1 to ${batchIdsMax} record ids; a repeated id is read once`),
  max_credits: z.number().int().min(0).max(maxCreditsMax).optional().describe('the most this request may charge'),
});

export function batchResponse<T extends z.ZodType>(data: T) {
  return z.object({
    results: z.array(
      z.object({
        id: z.string(),
        status: z.enum(['ok', 'not_found', 'over_budget', 'insufficient_credits']),
        data: data.optional(),
        subscription: subscriptionSchema.nullable().optional(),
        charged: z.number().int(),
      }),
    ),
    credits: creditsEnvelope,
  });
}

export async function replyWithBatch(
  context: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  batch: { recordType: RecordType; body: z.infer<typeof batchBody> },
): Promise<FastifyReply | undefined> {
  const { recordType, body } = batch;
  const principal = principalOf(request);
  if (!requireFeature(request, reply, principal.channelFeature)) return reply;
  const idempotency = idempotencyClaim(request, 'customer', principal.account.id);
  if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
  const result = await readRecordsBatch(context, {
    accountId: principal.account.id,
    recordType,
    ids: body.ids,
    maxCredits: body.max_credits,
    origin: principal.origin,
    idempotency,
  });
  if (!result.ok) {
    reply.header('X-Credits-Charged', '0');
    return sendFailure(request, reply, result);
  }
  request.creditsRemaining = result.currentBalance;
  reply.header('X-Credits-Charged', result.replayed ? '0' : String(result.charged));
  if (result.replayed) reply.header('Idempotent-Replayed', 'true');
  return reply.send({ results: result.results, credits: { charged: result.charged, balance: result.balance } });
}
