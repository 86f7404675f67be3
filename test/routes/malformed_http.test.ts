// Proves that a request Node's HTTP parser refuses before Fastify sees it (a Content-Length that
// is not a number, a broken header line, headers over the bound) is still answered in the
// documented error shape, not with Fastify's own body; and that an import declared too large is
// refused without reading its body.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testAdminToken, type TestApp } from '../harness/test_app.ts';

/** Sends raw bytes to the server and returns everything it answers before closing. */
function sendRaw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function bodyOf(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

describe('requests the HTTP parser refuses', () => {
  let app: TestApp;
  let port: number;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.server.address() as { port: number }).port;
  });
  afterAll(async () => app?.close());

  it.each([
    ['a Content-Length that is not a number', 'POST /v1/credits/top-ups HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}'],
    ['a header line without a colon', 'GET /v1/account HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n'],
    ['two different Content-Lengths', 'POST /v1/credits/top-ups HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
  ])('answers 400 invalid_request in the error shape for %s', async (_name, request) => {
    const answer = await sendRaw(port, request);
    expect(answer.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(bodyOf(answer)).toEqual({ error: { code: 'invalid_request', message: 'malformed HTTP request', request_id: expect.stringMatching(/^req_/) } });
  });

  it('refuses an import declared larger than its bound at once and closes the connection, rather than reading the body first', async () => {
    const headers = `POST /admin/v1/catalog/companies HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${testAdminToken}\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${3 * 1024 ** 3}\r\n\r\n`;
    // Only the headers and a first line are sent: the answer (and the end of the connection) must come anyway.
    const answer = await sendRaw(port, `${headers}{"id":"cmp_huge","name":"Huge"}\n`);
    expect(answer.startsWith('HTTP/1.1 413 ')).toBe(true);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(bodyOf(answer)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('answers 413 payload_too_large in the error shape for headers over the bound', async () => {
    const answer = await sendRaw(port, `GET /v1/account HTTP/1.1\r\nHost: x\r\nX-Padding: ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(answer.startsWith('HTTP/1.1 413 ')).toBe(true);
    expect(bodyOf(answer)).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});
