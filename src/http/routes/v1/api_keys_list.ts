// GET /v1/api-keys: the account's API keys, newest first, by prefix (the secrets were shown once).
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { listApiKeys } from '../../../app/keys/list_api_keys.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { booleanQuery, cursorSchema, errorResponse, limitSchema, listResponse } from '../../schemas.ts';

export const apiKeySummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  prefix: z.string().describe('the first characters of the key, to recognise it'),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});

export function registerApiKeysList(app: RouteApp, context: AppContext): void {
  app.get(
    '/api-keys',
    {
      schema: {
        summary: "The account's API keys",
        tags: ['keys'],
        querystring: z.strictObject({
          include_revoked: booleanQuery.default(false).describe('list revoked keys too'),
          limit: limitSchema,
          cursor: cursorSchema,
        }),
        response: { 200: listResponse(apiKeySummarySchema), 400: errorResponse },
      },
    },
    async (request, reply) => {
      const { include_revoked: includeRevoked, limit, cursor } = request.query;
      const result = await listApiKeys(context, { accountId: principalOf(request).account.id, includeRevoked, limit, cursor });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
