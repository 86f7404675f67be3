// What every use case receives: the store, the clock, the plan catalog, a logger, and the
// after-commit event bus. Built once at start by the shell (server or CLI).
import type { Logger } from 'pino';
import type { Store } from '../store/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { PlanRegistry } from './plans/plan_registry.ts';
import type { CreditEvents } from './credits/credit_events.ts';

export interface AppContext {
  store: Store;
  clock: Clock;
  plans: PlanRegistry;
  logger: Logger;
  /** Fired after commit; the web app's live balance (server-sent events) listens here. */
  events: CreditEvents;
  /** log2 of scrypt's N for new password hashes (src/app/users/passwords.ts); tests lower it. */
  passwordCost?: number;
}
