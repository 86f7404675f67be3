// Shared by every endpoint that reads deep data: the gate, the read (which may charge), the
// envelope `{data, subscription, credits}` and the X-Credits-Charged header.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { readRecord, type LoadedRecord } from '../../../app/records/read_record.ts';
import type { RecordType } from '../../../store/schema.ts';
import { subscriptionView } from '../../../app/views.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { subscriptionSchema } from '../../schemas.ts';

export const creditsEnvelope = z.object({ charged: z.number().int(), balance: z.number().int() });

export function recordEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ data, subscription: subscriptionSchema.nullable(), credits: creditsEnvelope });
}

export async function replyWithRecord<T>(
  context: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  record: {
    type: RecordType;
    id: string;
    load: () => Promise<LoadedRecord<T> | null>;
    /** Fields added to the envelope (a list's next_cursor). */
    extra?: Record<string, unknown>;
  },
): Promise<FastifyReply | undefined> {
  const principal = principalOf(request);
  if (!requireFeature(request, reply, principal.channelFeature)) return reply;
  const result = await readRecord(context, {
    accountId: principal.account.id,
    recordType: record.type,
    recordId: record.id,
    origin: principal.origin,
    load: record.load,
  });
  reply.header('X-Credits-Charged', result.ok ? String(result.charged) : '0');
  if (!result.ok) {
    if (result.code === 'insufficient_credits') request.creditsRemaining = principal.account.balance;
    return sendFailure(request, reply, result);
  }
  const balance = result.balance ?? principal.account.balance;
  request.creditsRemaining = balance;
  return reply.send({
    data: result.data,
    subscription: result.subscription ? subscriptionView(result.subscription) : null,
    credits: { charged: result.charged, balance },
    ...record.extra,
  });
}
