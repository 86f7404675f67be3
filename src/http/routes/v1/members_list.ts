// GET /v1/members: the account's users (the web app's team page), in id order. Any member of the
// account, or an API key, may read it.
import type { AppContext } from '../../../app/context.ts';
import { listUsers } from '../../../app/users/list_users.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { cursorSchema, errorResponse, limitSchema, listResponse, userSchema } from '../../schemas.ts';
import { z } from 'zod';

export function registerMembersList(app: RouteApp, context: AppContext): void {
  app.get(
    '/members',
    {
      schema: {
        summary: "The account's users",
        tags: ['team'],
        querystring: z.strictObject({ limit: limitSchema, cursor: cursorSchema }),
        response: { 200: listResponse(userSchema), 400: errorResponse },
      },
    },
    async (request, reply) => {
      const result = await listUsers(context, { accountId: principalOf(request).account.id, ...request.query });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
