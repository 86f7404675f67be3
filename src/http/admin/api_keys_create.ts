// POST /admin/v1/accounts/{id}/api-keys: a new key (the secret is shown once). With an
// Idempotency-Key, a repeat creates nothing and answers with the first key and `key: null`.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { apiKeyNameCharsMax, createApiKey } from '../../app/keys/create_api_key.ts';
import type { RouteApp } from '../route_app.ts';
import { sendFailure } from '../errors.ts';
import { idempotencyClaim, isFailure } from '../idempotency.ts';
import { apiKeySchema, errorResponse, idParams, textSchema } from '../schemas.ts';

export function registerApiKeysCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/accounts/:id/api-keys',
    {
      schema: {
        summary: 'Issue an API key',
        description:
          'The secret `key` is shown in this response only. A repeat with the same Idempotency-Key creates no second key and returns the first one\'s id, name and prefix with `key: null`: only a hash of the secret is kept.',
        tags: ['operator'],
        params: idParams,
        body: z.object({ name: textSchema(apiKeyNameCharsMax).optional() }).nullish(),
        response: { 201: apiKeySchema, 400: errorResponse, 404: errorResponse, 409: errorResponse },
      },
    },
    async (request, reply) => {
      const idempotency = idempotencyClaim(request, 'operator', request.params.id);
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const result = await createApiKey(context, { accountId: request.params.id, name: request.body?.name, idempotency });
      if (!result.ok) return sendFailure(request, reply, result);
      if (result.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send(result.apiKey);
    },
  );
}
