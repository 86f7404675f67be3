// Side effects happen after commit (DESIGN.md): a use case that moved credits announces the
// account's new balance here once its transaction has committed.
import { EventEmitter } from 'node:events';

export interface BalanceChanged {
  accountId: string;
  balance: number;
  ledgerSeq: number;
  /** Heard from another server process (balance_relay.ts), so not to be relayed again. */
  relayed?: boolean;
}

export class CreditEvents {
  readonly #emitter = new EventEmitter();
  readonly #onListenerError: (error: unknown) => void;

  /** `onListenerError` hears a listener's failure, which must never fail a committed request. */
  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    // One listener per open web page; the default warning at 10 would be noise.
    this.#emitter.setMaxListeners(0);
    this.#onListenerError = onListenerError;
  }

  balanceChanged(event: BalanceChanged): void {
    for (const listener of this.#emitter.listeners('balance')) {
      try {
        (listener as (event: BalanceChanged) => void)(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  /** Listeners now attached (open event streams, the relay): tests check that closed streams let go. */
  listenerCount(): number {
    return this.#emitter.listenerCount('balance');
  }

  onBalanceChanged(listener: (event: BalanceChanged) => void): () => void {
    this.#emitter.on('balance', listener);
    return () => this.#emitter.off('balance', listener);
  }
}
