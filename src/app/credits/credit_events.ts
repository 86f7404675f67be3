// Side effects happen after commit (DESIGN.md): a use case that moved credits announces the
// account's new balance here once its transaction has committed.
import { EventEmitter } from 'node:events';

export interface BalanceChanged {
  accountId: string;
  balance: number;
  ledgerSeq: number;
}

export class CreditEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open web page; the default warning at 10 would be noise.
    this.#emitter.setMaxListeners(0);
  }

  balanceChanged(event: BalanceChanged): void {
    this.#emitter.emit('balance', event);
  }

  onBalanceChanged(listener: (event: BalanceChanged) => void): () => void {
    this.#emitter.on('balance', listener);
    return () => this.#emitter.off('balance', listener);
  }
}
