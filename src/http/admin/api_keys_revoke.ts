// DELETE /admin/v1/accounts/{id}/api-keys/{key_id}: revoke a key (401 from the next request).
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { revokeApiKey } from '../../app/keys/revoke_api_key.ts';
import type { RouteApp } from '../route_app.ts';
import { sendFailure } from '../errors.ts';
import { errorResponse, idSchema } from '../schemas.ts';

export function registerApiKeysRevoke(app: RouteApp, context: AppContext): void {
  app.delete(
    '/accounts/:id/api-keys/:key_id',
    {
      schema: {
        summary: 'Revoke an API key',
        tags: ['operator'],
        params: z.object({ id: idSchema, key_id: idSchema }),
        response: { 200: z.object({ revoked: z.literal(true) }), 404: errorResponse },
      },
    },
    async (request, reply) => {
      const result = await revokeApiKey(context, { accountId: request.params.id, keyId: request.params.key_id });
      if (!result.ok) return sendFailure(request, reply, result);
      return { revoked: true as const };
    },
  );
}
