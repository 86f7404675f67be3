// The one way the web app talks to the server: openapi-fetch over the types generated from the
// OpenAPI document (src/client/openapi_types.ts), on this origin, with the session cookie.
//
// The cookie is HttpOnly, so page scripts never see it; what they do see is the session's CSRF
// token (from POST or GET /v1/session), which every request carries in X-CSRF-Token: the server
// refuses a cookie request without it (reads too, since a read can spend a credit), except
// GET /v1/session itself and the event stream. A 401 anywhere but the sign-in means the session ended: listeners (the session
// provider) then show the sign-in page.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../src/client/openapi_types.ts';

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const sessionEndedListeners = new Set<() => void>();

/** Calls `listener` when a request is refused with 401 (the session expired or was ended elsewhere). */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (csrfToken !== null) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    const signingIn = request.method === 'POST' && new URL(request.url).pathname === '/v1/session';
    const askingWhoIsSignedIn = request.method === 'GET' && new URL(request.url).pathname === '/v1/session';
    if (response.status === 401 && !signingIn && !askingWhoIsSignedIn) for (const listener of sessionEndedListeners) listener();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(sessionMiddleware);

/** A refusal of the API, with its documented code (`insufficient_credits`, `feature_not_in_plan`, …). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string };
}

function apiErrorOf(response: Response, body: unknown): ApiError {
  const error = (body as ErrorBody | undefined)?.error;
  return new ApiError(response.status, error?.code ?? 'internal', error?.message ?? `the server answered ${response.status}`, error?.field);
}

/** The data of a successful answer; an ApiError otherwise. */
export async function unwrap<Data>(pending: Promise<{ data?: Data; error?: unknown; response: Response }>): Promise<Data> {
  const { data, error, response } = await pending;
  if (!response.ok || data === undefined) throw apiErrorOf(response, error);
  return data;
}

/** A fresh key for a POST that must not happen twice if it is retried (API.md: Idempotency-Key). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
