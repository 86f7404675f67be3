// POST /admin/v1/accounts: opens an account on a plan; returns it with its first API key
// (shown once). With an Idempotency-Key, a repeat opens one account.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { accountNameCharsMax, createAccount } from '../../app/accounts/create_account.ts';
import { getAccount } from '../../app/accounts/get_account.ts';
import { assert } from '../../lib/assert.ts';
import { unprocessable } from '../../lib/result.ts';
import type { RouteApp } from '../route_app.ts';
import { operatorOrigin } from '../auth.ts';
import { sendFailure } from '../errors.ts';
import { idempotencyClaim, isFailure } from '../idempotency.ts';
import { accountSchema, errorResponse, idSchema, textSchema } from '../schemas.ts';

export const createAccountBody = z.object({
  name: textSchema(accountNameCharsMax),
  plan_id: idSchema,
  owner_email: z.email().max(320).optional(),
  owner_password: z.string().min(8).max(200).optional(),
});

export function registerAccountsCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/accounts',
    {
      schema: {
        summary: 'Open an account',
        description:
          'Returns the account and its first API key, shown once. A repeat with the same Idempotency-Key returns the same account with api_key null: only a hash of the key is kept.',
        tags: ['operator'],
        body: createAccountBody,
        response: {
          201: z.object({ account: accountSchema, api_key: z.string().nullable(), api_key_id: z.string() }),
          400: errorResponse,
          409: errorResponse,
          422: errorResponse,
        },
      },
    },
    async (request, reply) => {
      if (request.body.owner_email !== undefined || request.body.owner_password !== undefined) {
        // Users and sign-in arrive with the web app; refuse rather than silently drop the owner.
        return sendFailure(request, reply, unprocessable('account users are not supported by this server yet', 'owner_email'));
      }
      const idempotency = idempotencyClaim(request, 'operator', '_operator');
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const created = await createAccount(context, {
        name: request.body.name,
        planId: request.body.plan_id,
        origin: operatorOrigin,
        idempotency: idempotency ? { key: idempotency.key, fingerprint: idempotency.fingerprint } : undefined,
      });
      if (!created.ok) return sendFailure(request, reply, created);
      const account = await getAccount(context, created.account_id);
      assert(account.ok, 'an account just created is readable');
      if (created.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send({ account: account.account, api_key: created.api_key, api_key_id: created.api_key_id });
    },
  );
}
