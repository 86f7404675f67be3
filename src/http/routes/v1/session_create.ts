// POST /v1/session: signs in with email and password (customer users and operator users alike).
// Sets the HttpOnly session cookie and returns the session with its CSRF token. A wrong password
// and an unknown email get the same 401, after the same work.
//
// Login CSRF (another site signing the browser in to the attacker's account): the body must be
// a JSON object, which only `Content-Type: application/json` yields here, and a cross-site form
// can send only urlencoded, multipart or text/plain bodies (JSON needs a CORS preflight, which
// this server never grants).
//
// Attempts are limited per client IP and per email (src/http/rate_limit.ts), before the password
// is checked: 429 rate_limited with Retry-After. A session the browser already had (its cookie
// came with the request) ends when the new one starts, so signing in never leaves one behind.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { signIn } from '../../../app/users/sign_in.ts';
import { signOut } from '../../../app/users/sign_out.ts';
import { passwordCharsMax } from '../../../app/users/passwords.ts';
import type { RouteApp } from '../../route_app.ts';
import { sendFailure } from '../../errors.ts';
import { sessionTokenOf, setSessionCookie } from '../../session_cookie.ts';
import type { SignInThrottle } from '../../rate_limit.ts';
import { emailSchema, errorResponse } from '../../schemas.ts';
import { sessionSchema, sessionView } from './session_view.ts';

export const signInBody = z.object({
  email: emailSchema,
  // No lower bound here: a sign-in must not reveal the password rules, only whether it matched.
  password: z.string().min(1).max(passwordCharsMax),
});

export function registerSessionCreate(app: RouteApp, context: AppContext, throttle: SignInThrottle | undefined): void {
  app.post(
    '/session',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Sign in',
        description:
          'With the email and password of a customer user or an operator user. Sets the `quarry_session` cookie (HttpOnly, SameSite=Lax, Secure over https) and returns the session with its CSRF token. A wrong email or password is one 401 `unauthorized` that does not say which. Needs `Content-Type: application/json`. Attempts are limited per client IP and per email (429 `rate_limited` with `Retry-After`). Ends the session of the cookie the request carried, if any.',
        tags: ['session'],
        security: [],
        body: signInBody,
        response: { 200: sessionSchema, 400: errorResponse, 401: errorResponse, 429: errorResponse },
      },
    },
    async (request, reply) => {
      const refused = throttle?.take({ ip: request.ip, email: request.body.email, now: context.clock.now() });
      if (refused) {
        reply.header('Retry-After', String(refused.retryAfterSeconds));
        return sendFailure(request, reply, refused.failure);
      }
      const signedIn = await signIn(context, request.body);
      if (!signedIn.ok) return sendFailure(request, reply, signedIn);
      const previousToken = sessionTokenOf(request);
      if (previousToken) await signOut(context, previousToken);
      setSessionCookie(request, reply, signedIn.token, signedIn.expiresAt);
      return sessionView(context, { ...signedIn.person, expiresAt: signedIn.expiresAt, csrfToken: signedIn.csrfToken });
    },
  );
}
