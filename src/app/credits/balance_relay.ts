// On PostgreSQL several server processes share one database, and a page's event stream is held
// by one of them: a charge made through another process must reach it too. Each process NOTIFYs
// the balances its own use cases announce, and LISTENs for the others', which it announces
// locally as `relayed` (so they are not sent on again). SQLite serves one process: no relay.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../context.ts';

export const balanceChannel = 'quarry_balance';

const relayedMessage = z.object({
  origin: z.string(),
  accountId: z.string(),
  balance: z.number().int(),
  ledgerSeq: z.number().int(),
});

/** Starts relaying; resolves to a stop function (for shutdown). */
export async function relayBalanceEvents(context: AppContext): Promise<() => Promise<void>> {
  const notifications = context.store.notifications;
  if (!notifications) return async () => undefined;
  // Tells this process's own messages apart when they come back through LISTEN.
  const origin = randomUUID();
  const stopListening = await notifications.listen(balanceChannel, (payload) => {
    let message: z.infer<typeof relayedMessage>;
    try {
      message = relayedMessage.parse(JSON.parse(payload));
    } catch (error) {
      context.logger.warn({ err: error }, 'ignored a malformed balance notification');
      return;
    }
    if (message.origin === origin) return;
    context.events.balanceChanged({ accountId: message.accountId, balance: message.balance, ledgerSeq: message.ledgerSeq, relayed: true });
  });
  const stopSending = context.events.onBalanceChanged((event) => {
    if (event.relayed) return;
    const payload = JSON.stringify({ origin, accountId: event.accountId, balance: event.balance, ledgerSeq: event.ledgerSeq });
    // After commit, and never in the request's way: a lost notification costs only liveness.
    notifications.notify(balanceChannel, payload).catch((error: unknown) => context.logger.warn({ err: error }, 'could not relay a balance change'));
  });
  return async () => {
    stopSending();
    await stopListening();
  };
}
