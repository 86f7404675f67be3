// DELETE /v1/api-keys/{id}: revokes one of the account's keys (401 from its next request). A key
// of another account is 404, as if it did not exist. Only a signed-in owner may (403 for members
// and API keys), as for creating keys.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { revokeApiKey } from '../../../app/keys/revoke_api_key.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireOwner } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { errorResponse, idParams } from '../../schemas.ts';

export function registerApiKeysRevoke(app: RouteApp, context: AppContext): void {
  app.delete(
    '/api-keys/:id',
    {
      schema: {
        summary: 'Revoke an API key',
        description: 'Only a signed-in owner (the session cookie) may: members and API keys get 403 `forbidden`. A key of another account is 404.',
        tags: ['keys'],
        params: idParams,
        response: { 200: z.object({ revoked: z.literal(true) }), 403: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      if (!requireOwner(request, reply, 'revoke API keys')) return reply;
      const result = await revokeApiKey(context, { accountId: principalOf(request).account.id, keyId: request.params.id });
      if (!result.ok) return sendFailure(request, reply, result);
      return { revoked: true as const };
    },
  );
}
