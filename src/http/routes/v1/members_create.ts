// POST /v1/members: an owner adds a user to the account, as member (the default) or owner.
// Only a signed-in owner may: 403 forbidden for members and for API keys (a leaked key must not
// be able to plant a web sign-in that outlives its revocation). An email already in use, in any
// account, is 422 with `field: email` and a message that does not say where it is used. With an
// Idempotency-Key, a repeat adds one user and returns it; the fingerprint leaves the password out
// (a fast hash of it must not land in the idempotency table), so a repeat with another password
// replays the first user too.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { createUser } from '../../../app/users/create_user.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireOwner } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { idempotencyClaim, isFailure } from '../../idempotency.ts';
import { emailSchema, errorResponse, newPasswordSchema, userSchema } from '../../schemas.ts';

export function registerMembersCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/members',
    {
      schema: {
        summary: 'Add a user to the account',
        description:
          'Owners only (signed in). The new user signs in with this email and password. 422 (`field: email`) when the email cannot be used (it is already some user\'s; the message does not say whose). A repeat with the same Idempotency-Key returns the user made first (the password is left out of the comparison); with another email or role, 409.',
        tags: ['team'],
        body: z.object({ email: emailSchema, password: newPasswordSchema, role: z.enum(['owner', 'member']).default('member') }),
        response: { 201: z.object({ user: userSchema }), 400: errorResponse, 403: errorResponse, 409: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      if (!requireOwner(request, reply, 'add users')) return reply;
      const accountId = principalOf(request).account.id;
      const { email, role } = request.body;
      const idempotency = idempotencyClaim(request, 'customer', accountId, { email, role });
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const result = await createUser(context, { accountId, ...request.body, idempotency });
      if (!result.ok) return sendFailure(request, reply, result);
      if (result.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send({ user: result.user });
    },
  );
}
