// DELETE /v1/members/{id}: an owner removes a user from the account. The user's sessions end
// with it (their open event streams close at the next keep-alive check) and their email can be
// used again. Only a signed-in owner may (403 for members and API keys); a user of another
// account is 404, as if it did not exist; removing the account's last owner is 422.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { removeUser } from '../../../app/users/remove_user.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireOwner } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { errorResponse, idParams, userSchema } from '../../schemas.ts';

export function registerMembersDelete(app: RouteApp, context: AppContext): void {
  app.delete(
    '/members/:id',
    {
      schema: {
        summary: 'Remove a user from the account',
        description:
          'Owners only (signed in): members and API keys get 403 `forbidden`. Deletes the user and ends their sessions; their email can then be used again. A user of another account is 404. Removing the account\'s last owner (yourself included) is 422 (`field: id`).',
        tags: ['team'],
        params: idParams,
        response: { 200: z.object({ removed: z.literal(true), user: userSchema }), 403: errorResponse, 404: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      if (!requireOwner(request, reply, 'remove users')) return reply;
      const result = await removeUser(context, { accountId: principalOf(request).account.id, userId: request.params.id });
      if (!result.ok) return sendFailure(request, reply, result);
      return { removed: true as const, user: result.user };
    },
  );
}
