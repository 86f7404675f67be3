// POST /admin/v1/accounts/{id}/api-keys: a new key (the secret is shown once).
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { createApiKey } from '../../app/keys/create_api_key.ts';
import type { RouteApp } from '../route_app.ts';
import { sendFailure } from '../errors.ts';
import { apiKeySchema, errorResponse, idParams, textSchema } from '../schemas.ts';

export function registerApiKeysCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/accounts/:id/api-keys',
    {
      schema: {
        summary: 'Issue an API key',
        tags: ['operator'],
        params: idParams,
        body: z.object({ name: textSchema(100).optional() }).nullish(),
        response: { 201: apiKeySchema, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const result = await createApiKey(context, { accountId: request.params.id, name: request.body?.name });
      if (!result.ok) return sendFailure(request, reply, result);
      return reply.code(201).send(result.apiKey);
    },
  );
}
