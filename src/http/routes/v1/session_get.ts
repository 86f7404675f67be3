// GET /v1/session: who is calling. For the web app, the signed-in user, their account and the
// CSRF token (the page reads it on load, since the cookie itself is HttpOnly; the only cookie
// request, with GET /v1/events, that needs no X-CSRF-Token); 401 when signed out. With an API
// key: the key's account, and no user.
import type { AppContext } from '../../../app/context.ts';
import { summarizeAccount } from '../../../app/accounts/account_summary.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf } from '../../auth.ts';
import { sessionSchema, sessionView } from './session_view.ts';

export function registerSessionGet(app: RouteApp, context: AppContext): void {
  app.get(
    '/session',
    {
      // Exempt from the CSRF header: this is how the page learns the token (src/http/session_cookie.ts).
      config: { auth: 'any_session', csrf: 'exempt' },
      schema: {
        summary: 'The current session',
        description: 'The signed-in user (customer or operator), the account and the CSRF token; 401 when signed out. The one request (with GET /v1/events) the session cookie may make without X-CSRF-Token. With an API key: `channel: api`, the account, no user.',
        tags: ['session'],
        response: { 200: sessionSchema },
      },
    },
    async (request) => {
      if (request.session) return sessionView(context, request.session.caller);
      const principal = principalOf(request);
      return { channel: 'api' as const, user: null, account: await summarizeAccount(context, principal.account), csrf_token: null, expires_at: null };
    },
  );
}
