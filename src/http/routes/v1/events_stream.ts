// GET /v1/events: server-sent events for the web app's live balance. On connect, and after every
// credit movement of the caller's account (through any channel, in this process or, on
// PostgreSQL, in another: src/app/credits/balance_relay.ts), a `balance` event with
// `{balance, ledger_seq}`. Events only move forward: one older than what the stream sent (a relay
// can arrive after a newer local event) is skipped. A comment every `keepAliveMs` keeps proxies
// from closing an idle stream, and re-checks the credential: a signed-out session or a revoked
// key ends its streams.
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import type { BalanceChanged } from '../../../app/credits/credit_events.ts';
import { authenticateApiKey } from '../../../app/keys/authenticate_api_key.ts';
import { authenticateSession } from '../../../app/users/authenticate_session.ts';
import type { RouteApp } from '../../route_app.ts';
import { bearerToken, principalOf } from '../../auth.ts';

export const keepAliveMs = 15_000;
/** What a browser waits before reconnecting a dropped stream (EventSource's `retry`). */
export const reconnectDelayMs = 2_000;

const balanceEventSchema = z.object({ balance: z.number().int(), ledger_seq: z.number().int() });

/** Whether the request's credential still holds (checked at each keep-alive). */
async function stillAuthenticated(context: AppContext, request: FastifyRequest): Promise<boolean> {
  if (request.session) return (await authenticateSession(context, request.session.token)).ok;
  const token = bearerToken(request);
  return token !== undefined && (await authenticateApiKey(context, token)).ok;
}

export function registerEventsStream(app: RouteApp, context: AppContext): void {
  // Open streams end before the server closes, or closing would wait on them forever.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/events',
    {
      // EventSource cannot send the X-CSRF-Token header, and the stream only reads the balance
      // (another site cannot read it either: no CORS), so the cookie alone is enough here.
      config: { csrf: 'exempt' },
      schema: {
        summary: 'Live balance (server-sent events)',
        description: `A text/event-stream of \`balance\` events \`{balance, ledger_seq}\`: one on connect, then one after every credit movement of the account, from any channel or server process. A comment every ${keepAliveMs / 1000} s keeps the stream open; it ends when the session or key stops being valid. With the session cookie (EventSource sends it) or an API key.`,
        tags: ['account'],
        response: {
          200: {
            description: 'The event stream: `event: balance` with `data: {"balance": <credits>, "ledger_seq": <n>}`',
            content: { 'text/event-stream': { schema: balanceEventSchema } },
          },
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const accountId = principal.account.id;
      let lastSeq = -1;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        // nginx and similar proxies buffer responses unless told not to.
        'X-Accel-Buffering': 'no',
        'X-Request-Id': request.id,
        'X-Credits-Remaining': String(principal.account.balance),
      });
      const send = (event: { balance: number; ledgerSeq: number }) => {
        if (event.ledgerSeq <= lastSeq) return;
        lastSeq = event.ledgerSeq;
        raw.write(`event: balance\nid: ${event.ledgerSeq}\ndata: ${JSON.stringify({ balance: event.balance, ledger_seq: event.ledgerSeq })}\n\n`);
      };
      raw.write(`retry: ${reconnectDelayMs}\n\n`);
      send({ balance: principal.account.balance, ledgerSeq: principal.account.ledger_seq });
      const stopListening = context.events.onBalanceChanged((event: BalanceChanged) => {
        if (event.accountId === accountId) send(event);
      });
      const keepAlive = setInterval(() => {
        raw.write(': keep-alive\n\n');
        void stillAuthenticated(context, request).then(
          (valid) => valid || end(),
          () => undefined,
        );
      }, keepAliveMs);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(keepAlive);
        stopListening();
        open.delete(end);
        raw.end();
      };
      open.add(end);
      raw.on('close', end);
    },
  );
}
