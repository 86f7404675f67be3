// DELETE /v1/session: signs out. The session row is deleted, so the cookie (or any copy of it)
// is refused from now on, and the cookie is cleared. Like every change made with the cookie, it
// needs the X-CSRF-Token header (another site cannot sign a user out). With an API key there is
// no session: nothing happens.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { signOut } from '../../../app/users/sign_out.ts';
import type { RouteApp } from '../../route_app.ts';
import { clearSessionCookie } from '../../session_cookie.ts';

export function registerSessionDelete(app: RouteApp, context: AppContext): void {
  app.delete(
    '/session',
    {
      config: { auth: 'any_session' },
      schema: {
        summary: 'Sign out',
        description: 'Ends the session of the cookie and clears the cookie. Needs X-CSRF-Token. With an API key there is no session to end: the same answer.',
        tags: ['session'],
        response: { 200: z.object({ signed_out: z.literal(true) }) },
      },
    },
    async (request, reply) => {
      if (request.session) {
        await signOut(context, request.session.token);
        clearSessionCookie(request, reply);
      }
      return { signed_out: true as const };
    },
  );
}
