// POST /v1/api-keys: a new API key for the account; the secret is in this response only. Only a
// signed-in owner may: 403 for members and for API keys, so a leaked key cannot mint a successor
// that survives its own revocation (automation gets keys from an owner or the operator API).
// With an Idempotency-Key, a repeat creates nothing and answers with the first key's id and
// prefix and `key: null`: the secret is shown only in the first response (only its hash is kept).
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { apiKeyNameCharsMax, createApiKey } from '../../../app/keys/create_api_key.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireOwner } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { idempotencyClaim, isFailure } from '../../idempotency.ts';
import { apiKeySchema, errorResponse, textSchema } from '../../schemas.ts';

export { apiKeyNameCharsMax };

export function registerApiKeysCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/api-keys',
    {
      schema: {
        summary: 'Create an API key',
        description: 'The secret `key` is shown in this response only. Only a signed-in owner (the session cookie) may: members and API keys get 403 `forbidden` (a key for automation comes from an owner, or from `POST /admin/v1/accounts/{id}/api-keys`). A repeat with the same Idempotency-Key creates no second key and returns the first one\'s id, name and prefix with `key: null`: only a hash of the secret is kept.',
        tags: ['keys'],
        body: z.object({ name: textSchema(apiKeyNameCharsMax).optional() }).nullish(),
        response: { 201: apiKeySchema, 400: errorResponse, 403: errorResponse, 409: errorResponse },
      },
    },
    async (request, reply) => {
      if (!requireOwner(request, reply, 'create API keys')) return reply;
      const accountId = principalOf(request).account.id;
      const idempotency = idempotencyClaim(request, 'customer', accountId);
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const result = await createApiKey(context, { accountId, name: request.body?.name, idempotency });
      if (!result.ok) return sendFailure(request, reply, result);
      if (result.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send(result.apiKey);
    },
  );
}
