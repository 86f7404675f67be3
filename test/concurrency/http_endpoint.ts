// A Quarry reached over real HTTP (Node's fetch), with the same api/admin calls as the in-process test app, so one scenario runs against either.
import type { RequestOptions, Response, TestApp } from '../harness/test_app.ts';
import { testAdminToken } from '../harness/test_app.ts';

/** What a concurrency scenario needs of a Quarry: customer and operator calls. */
export type Endpoint = Pick<TestApp, 'api' | 'admin'>;

/** How long one request may take before the test gives up on it. */
export const requestTimeoutMs = 20_000;

export function httpEndpoint(baseUrl: string): Endpoint {
  return {
    api: <T>(method: string, url: string, options: RequestOptions = {}) =>
      httpCall<T>(baseUrl, method, url, { ...options, token: options.key }),
    admin: <T>(method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
      httpCall<T>(baseUrl, method, url, { body, headers, token: testAdminToken }),
  };
}

async function httpCall<T>(
  baseUrl: string,
  method: string,
  url: string,
  options: RequestOptions & { token?: string | undefined },
): Promise<Response<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let payload: string | Buffer | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(new URL(url, baseUrl), {
    method,
    headers,
    body: payload,
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  const text = await response.text();
  let body: unknown = text;
  if (text.length > 0 && (response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: response.status, body: body as T, headers: Object.fromEntries(response.headers) };
}
