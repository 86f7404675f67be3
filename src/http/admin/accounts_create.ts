// POST /admin/v1/accounts: opens an account on a plan; returns it with its first API key
// (shown once) and, given `owner_email` and `owner_password` (both or neither), its owner user,
// who signs in to the web app with them. With an Idempotency-Key, a repeat opens one account.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { accountNameCharsMax, createAccount } from '../../app/accounts/create_account.ts';
import { getAccount } from '../../app/accounts/get_account.ts';
import { assert } from '../../lib/assert.ts';
import { unprocessable } from '../../lib/result.ts';
import type { RouteApp } from '../route_app.ts';
import { operatorOriginOf } from '../auth.ts';
import { sendFailure } from '../errors.ts';
import { idempotencyClaim, isFailure } from '../idempotency.ts';
import { accountSchema, emailSchema, errorResponse, idSchema, newPasswordSchema, textSchema, userSchema } from '../schemas.ts';

export const createAccountBody = z.object({
  name: textSchema(accountNameCharsMax),
  plan_id: idSchema,
  owner_email: emailSchema.optional().describe('the owner user signs in with this email (unique across all users); with owner_password'),
  owner_password: newPasswordSchema.optional().describe('the owner user\'s password; with owner_email'),
});

export function registerAccountsCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/accounts',
    {
      schema: {
        summary: 'Open an account',
        description:
          'Returns the account and its first API key, shown once. With owner_email and owner_password (both or neither, else 422) it also creates the owner user; an email already in use is 422 (field owner_email) and opens nothing. A repeat with the same Idempotency-Key returns the same account with api_key null: only a hash of the key is kept (the password is left out of the comparison).',
        tags: ['operator'],
        body: createAccountBody,
        response: {
          201: z.object({ account: accountSchema, api_key: z.string().nullable(), api_key_id: z.string(), owner: userSchema.nullable() }),
          400: errorResponse,
          409: errorResponse,
          422: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const { owner_email: ownerEmail, owner_password: ownerPassword, ...withoutOwner } = request.body;
      if ((ownerEmail === undefined) !== (ownerPassword === undefined)) {
        const missing = ownerEmail === undefined ? 'owner_email' : 'owner_password';
        return sendFailure(request, reply, unprocessable('owner_email and owner_password go together: send both or neither', missing));
      }
      // A fast hash of the password must not land in the idempotency table: the fingerprint
      // covers the body without it.
      const idempotency = idempotencyClaim(request, 'operator', '_operator', { ...withoutOwner, owner_email: ownerEmail ?? null });
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const created = await createAccount(context, {
        name: request.body.name,
        planId: request.body.plan_id,
        origin: operatorOriginOf(request),
        idempotency: idempotency ? { key: idempotency.key, fingerprint: idempotency.fingerprint } : undefined,
        owner: ownerEmail !== undefined && ownerPassword !== undefined ? { email: ownerEmail, password: ownerPassword } : undefined,
      });
      if (!created.ok) return sendFailure(request, reply, created);
      const account = await getAccount(context, created.account_id);
      assert(account.ok, 'an account just created is readable');
      if (created.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send({ account: account.account, api_key: created.api_key, api_key_id: created.api_key_id, owner: created.owner });
    },
  );
}
