// POST /v1/members: an owner adds a user to the account, as member (the default) or owner.
// Only a signed-in owner may: 403 forbidden for members and for API keys (a leaked key must not
// be able to plant a web sign-in that outlives its revocation). An email already in use, in any
// account, is 422 with `field: email` and a message that does not say where it is used.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { createUser } from '../../../app/users/create_user.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireOwner } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { emailSchema, errorResponse, newPasswordSchema, userSchema } from '../../schemas.ts';

export function registerMembersCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/members',
    {
      schema: {
        summary: 'Add a user to the account',
        description: 'Owners only (signed in). The new user signs in with this email and password. 422 (`field: email`) when the email cannot be used (it is already some user\'s; the message does not say whose).',
        tags: ['team'],
        body: z.object({ email: emailSchema, password: newPasswordSchema, role: z.enum(['owner', 'member']).default('member') }),
        response: { 201: z.object({ user: userSchema }), 400: errorResponse, 403: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      if (!requireOwner(request, reply, 'add users')) return reply;
      const result = await createUser(context, { accountId: principalOf(request).account.id, ...request.body });
      if (!result.ok) return sendFailure(request, reply, result);
      return reply.code(201).send({ user: result.user });
    },
  );
}
