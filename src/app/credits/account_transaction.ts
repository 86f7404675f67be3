// The one path through which credits move. A credit use case runs inside an account
// transaction: the account row is locked, every due period boundary and expiry is written first
// (so the balance the use case sees is the balance at `now`), then the use case appends its own
// ledger entries, and the account's stored balance and sequence are written with them. After
// commit, the new balance is announced.

import type { Kysely } from 'kysely';
import type { ActorType, Channel, Database, GrantSource, LedgerKind, RecordType } from '../../store/schema.ts';
import { lockAccount, type AccountRow, type AccountUpdate } from '../../store/accounts.ts';
import { writeLedgerBatch, type LedgerBatch } from '../../store/ledger_writes.ts';
import type { SubscriptionRow } from '../../store/subscriptions.ts';
import { openGrants, toGrantState, type GrantRow, type LedgerEntryRow } from '../../store/credits.ts';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey, type IdempotencyClaim } from '../../store/idempotency.ts';
import type { Dialect } from '../../store/database.ts';
import { applyAllocations, type Allocation, type GrantState } from '../../domain/credits/grants.ts';
import { nextEventAt, planRollover } from '../../domain/credits/rollover.ts';
import { periodBounds } from '../../domain/plans/periods.ts';
import type { Plan } from '../../domain/plans/plans.ts';
import { assert } from '../../lib/assert.ts';
import { newId } from '../../lib/ids.ts';
import { fail, type Failure, type Result } from '../../lib/result.ts';
import { idempotencyConflict } from '../idempotency/create_once.ts';
import type { AppContext } from '../context.ts';

export interface Actor {
  type: ActorType;
  id: string | null;
}

/** Who moved the credits, and through which channel. */
export interface Origin {
  channel: Channel;
  actor: Actor;
}

export const systemOrigin: Origin = { channel: 'system', actor: { type: 'system', id: null } };

export interface NewGrant {
  source: GrantSource;
  expiresAt: number;
  periodEpoch?: number;
  periodIndex?: number;
  bundleId?: string;
  note?: string;
}

/** One ledger entry to append: either it creates a grant (credits > 0) or it draws from grants. */
export interface LedgerMove {
  kind: LedgerKind;
  at: number;
  credits: number;
  origin: Origin;
  newGrant?: NewGrant;
  allocations?: Allocation[];
  record?: { type: RecordType; id: string };
  subscriptionId?: string;
  note?: string;
}

type PendingWrites = Omit<LedgerBatch, 'accountId' | 'expectedSeq' | 'account'>;

function emptyPending(): PendingWrites {
  return { grants: [], entries: [], allocations: [], grantMoves: new Map(), subscriptions: [] };
}

export class AccountTransaction {
  readonly tx: Kysely<Database>;
  readonly now: number;
  readonly #original: AccountRow;
  #account: AccountRow;
  #plan: Plan;
  #grants: GrantState[];
  #entriesWritten = 0;
  readonly #dialect: Dialect;
  #pending: PendingWrites = emptyPending();

  constructor(options: { tx: Kysely<Database>; dialect: Dialect; account: AccountRow; plan: Plan; grants: GrantState[]; now: number }) {
    this.tx = options.tx;
    this.#dialect = options.dialect;
    this.now = options.now;
    this.#original = options.account;
    this.#account = { ...options.account };
    this.#plan = options.plan;
    this.#grants = options.grants;
  }

  get account(): Readonly<AccountRow> {
    return this.#account;
  }

  get plan(): Plan {
    return this.#plan;
  }

  get grants(): readonly GrantState[] {
    return this.#grants;
  }

  get balance(): number {
    return this.#account.balance;
  }

  get entriesWritten(): number {
    return this.#entriesWritten;
  }

  /** The current billing period at `now`. */
  currentPeriod(): { start: number; end: number } {
    return periodBounds(this.#account.period_anchor, this.#plan.period, this.#account.period_index);
  }

  /** Writes every period start and grant expiry that is due at `now`, in time order. */
  async bringUpToDate(): Promise<void> {
    const account = this.#account;
    const plan = planRollover(
      {
        anchor: account.period_anchor,
        epoch: account.period_epoch,
        index: account.period_index,
        creditsPerPeriod: this.#plan.creditsPerPeriod,
        period: this.#plan.period,
      },
      this.#grants,
      this.now,
    );
    const realIds = new Map<string, string>();
    for (const event of plan.events) {
      if (event.type === 'expire') {
        const grantId = realIds.get(event.grantId) ?? event.grantId;
        await this.append({
          kind: 'expire',
          at: event.at,
          credits: -event.credits,
          origin: systemOrigin,
          allocations: [{ grantId, credits: -event.credits }],
        });
      } else {
        const entry = await this.append({
          kind: 'grant',
          at: event.at,
          credits: event.credits,
          origin: systemOrigin,
          newGrant: {
            source: 'allowance',
            expiresAt: event.expiresAt,
            periodEpoch: account.period_epoch,
            periodIndex: event.periodIndex,
          },
        });
        realIds.set(`pending_allowance_${event.periodIndex}`, entry.grant_id!);
      }
    }
    this.#account.period_index = plan.periodIndex;
  }

  /**
   * Starts a new billing period now under `plan` (a plan change): the unused allowance of the
   * period that ends expires, and the new plan's allowance is granted. Top-ups keep their expiry.
   */
  async restartPeriod(plan: Plan, origin: Origin): Promise<void> {
    for (const grant of this.#grants.filter((g) => g.source === 'allowance' && g.remaining > 0)) {
      await this.append({
        kind: 'expire',
        at: this.now,
        credits: -grant.remaining,
        origin,
        allocations: [{ grantId: grant.id, credits: -grant.remaining }],
        note: 'plan change',
      });
    }
    this.#plan = plan;
    this.#account.plan_id = plan.id;
    this.#account.period_anchor = this.now;
    this.#account.period_epoch += 1;
    this.#account.period_index = 0;
    if (plan.creditsPerPeriod > 0) {
      const bounds = periodBounds(this.now, plan.period, 0);
      await this.append({
        kind: 'grant',
        at: this.now,
        credits: plan.creditsPerPeriod,
        origin,
        newGrant: { source: 'allowance', expiresAt: bounds.end, periodEpoch: this.#account.period_epoch, periodIndex: 0 },
      });
    }
  }

  /**
   * Appends one ledger entry with the balance after it, and moves the grants it touches. The
   * writes are buffered (checked here, in memory, as they are added) and written by finish().
   */
  async append(move: LedgerMove): Promise<LedgerEntryRow> {
    assert(Number.isSafeInteger(move.credits) && move.credits !== 0, 'a ledger entry moves a whole, non-zero number of credits');
    const seq = this.#account.ledger_seq + 1;
    const balanceAfter = this.#account.balance + move.credits;
    assert(balanceAfter >= 0, 'the balance can never fall below zero');
    const allocations = move.newGrant ? [this.#addGrant(move, seq)] : (move.allocations ?? []);
    assert(
      allocations.reduce((sum, allocation) => sum + allocation.credits, 0) === move.credits,
      'a ledger entry equals the sum of its allocations',
    );
    const entry: LedgerEntryRow = {
      account_id: this.#account.id,
      seq,
      id: newId('ledgerEntry'),
      at: move.at,
      kind: move.kind,
      credits: move.credits,
      balance_after: balanceAfter,
      grant_id: allocations.length === 1 ? allocations[0]!.grantId : null,
      record_type: move.record?.type ?? null,
      record_id: move.record?.id ?? null,
      subscription_id: move.subscriptionId ?? null,
      channel: move.origin.channel,
      actor_type: move.origin.actor.type,
      actor_id: move.origin.actor.id,
      note: move.note ?? null,
    };
    this.#pending.entries.push(entry);
    this.#addAllocations(seq, allocations, Boolean(move.newGrant));
    this.#account.ledger_seq = seq;
    this.#account.balance = balanceAfter;
    this.#account.ledger_at = Math.max(this.#account.ledger_at, move.at);
    this.#entriesWritten += 1;
    return entry;
  }

  /** A subscription to write with this transaction's entries. */
  addSubscription(subscription: SubscriptionRow): void {
    this.#pending.subscriptions.push(subscription);
  }

  /** A grant created by this transaction, as it will be stored. */
  newGrant(grantId: string): GrantRow | undefined {
    return this.#pending.grants.find((grant) => grant.id === grantId);
  }

  #addGrant(move: LedgerMove, seq: number): Allocation {
    const grant = move.newGrant!;
    assert(move.credits > 0, 'a new grant holds a positive number of credits');
    const id = newId('grant');
    this.#pending.grants.push({
      account_id: this.#account.id,
      id,
      source: grant.source,
      credits: move.credits,
      remaining: move.credits,
      expires_at: grant.expiresAt,
      created_at: move.at,
      created_seq: seq,
      period_epoch: grant.periodEpoch ?? null,
      period_index: grant.periodIndex ?? null,
      bundle_id: grant.bundleId ?? null,
      note: grant.note ?? null,
    });
    this.#grants.push({ id, source: grant.source, remaining: 0, expiresAt: grant.expiresAt, createdSeq: seq });
    return { grantId: id, credits: move.credits };
  }

  #addAllocations(seq: number, allocations: Allocation[], grantIsNew: boolean): void {
    for (const allocation of allocations) {
      this.#pending.allocations.push({ account_id: this.#account.id, entry_seq: seq, grant_id: allocation.grantId, credits: allocation.credits });
      if (grantIsNew) continue;
      const grant = this.#grants.find((candidate) => candidate.id === allocation.grantId);
      assert(grant && grant.remaining + allocation.credits >= 0, `grant ${allocation.grantId} cannot cover ${allocation.credits}`);
      // A grant created in this same transaction is written with its final remainder; others move.
      const created = this.newGrant(allocation.grantId);
      if (created) created.remaining += allocation.credits;
      else this.#pending.grantMoves.set(allocation.grantId, (this.#pending.grantMoves.get(allocation.grantId) ?? 0) + allocation.credits);
    }
    this.#grants = applyAllocations(this.#grants, allocations);
  }

  get hasPendingWrites(): boolean {
    return this.#pending.entries.length > 0 || this.#pending.subscriptions.length > 0;
  }

  /** Writes the buffered movements with the account's new balance, sequence, period and next due event. */
  async finish(): Promise<void> {
    const update = this.#accountUpdate();
    const pending = this.#pending;
    await writeLedgerBatch(this.tx, this.#dialect, {
      accountId: this.#account.id,
      expectedSeq: this.#original.ledger_seq,
      account: update,
      ...pending,
    });
    this.#pending = emptyPending();
    Object.assign(this.#account, update);
  }

  #accountUpdate(): AccountUpdate {
    const account = this.#account;
    return {
      balance: account.balance,
      ledger_seq: account.ledger_seq,
      period_anchor: account.period_anchor,
      period_epoch: account.period_epoch,
      period_index: account.period_index,
      plan_id: account.plan_id,
      next_event_at: nextEventAt(account.period_anchor, this.#plan.period, account.period_index, this.#grants),
      ledger_at: account.ledger_at,
    };
  }

  /**
   * True when the stored account row no longer matches: any entry, a plan change, a new period
   * (even one that granted nothing), or a next due event that moved. Keeping `next_event_at`
   * exact matters: a stale one in the past would send every request through a transaction.
   */
  get changed(): boolean {
    const update = this.#accountUpdate();
    const original = this.#original;
    return (Object.keys(update) as Array<keyof AccountUpdate>).some((key) => update[key] !== original[key]);
  }
}

export interface AccountTransactionOptions {
  /** Claims this idempotency key in the same transaction; a repeat returns the first value. */
  idempotency?: IdempotencyClaim;
}

export type AccountWork<T> = (transaction: AccountTransaction) => Promise<Result<T>>;

export interface AccountOutcome<T> {
  value: T;
  /** True when an idempotency key matched: `value` and `balance` are the first request's. */
  replayed: boolean;
  /** The balance right after the work (for a replay: right after the first request's work). */
  balance: number;
  /** The balance now, for the X-Credits-Remaining header. */
  currentBalance: number;
}

/** What an idempotency key keeps of the first request: its value and the balance after it. */
interface StoredOutcome {
  value: unknown;
  balance: number;
}

/**
 * Runs `work` in one write transaction on the locked account, after bringing the account up to
 * date. `work` must decide before it writes: a failure it returns after appending entries is a
 * programmer error. Returns `not_found` when the account does not exist.
 */
export async function inAccountTransaction<T extends object>(
  context: AppContext,
  accountId: string,
  work: AccountWork<T>,
  options: AccountTransactionOptions = {},
): Promise<Result<AccountOutcome<T>>> {
  const { store } = context;
  let announce: AccountTransaction | undefined;
  const { idempotency } = options;
  const result = await store.writeTransaction(async (tx) => {
    // The key is claimed before the account's row is locked: the order of every creation that
    // claims a key (create_once.ts), whose writes take a share lock on the account's row through
    // their foreign keys. In the opposite order, one key sent at once to a batch and to such a
    // creation deadlocked on PostgreSQL (each waiting for the lock the other held).
    const claim = idempotency ? await claimIdempotencyKey(tx, idempotency, context.clock.now()) : undefined;
    const opened = await openAccountTransaction(context, tx, store.dialect, accountId);
    if (!opened.ok) {
      if (claim?.claimed) await releaseIdempotencyKey(tx, idempotency!);
      return opened;
    }
    const transaction = opened.transaction;
    await transaction.bringUpToDate();
    const outcome = await runWork(transaction, work, idempotency && claim ? { ...idempotency, claim } : undefined);
    // Whatever the outcome, what fell due has been written: the account row must follow it.
    await finishIfChanged(transaction);
    announce = transaction;
    return outcome;
  });
  if (announce?.changed) {
    context.events.balanceChanged({
      accountId,
      balance: announce.balance,
      ledgerSeq: announce.account.ledger_seq,
    });
  }
  return result;
}

/** The request's idempotency key and what claiming it found. */
interface ClaimedKey extends IdempotencyClaim {
  claim: Awaited<ReturnType<typeof claimIdempotencyKey>>;
}

async function runWork<T extends object>(
  transaction: AccountTransaction,
  work: AccountWork<T>,
  idempotency: ClaimedKey | undefined,
): Promise<Result<AccountOutcome<T>>> {
  const { tx } = transaction;
  if (idempotency && !idempotency.claim.claimed) {
    const row = idempotency.claim.row;
    if (row.fingerprint !== idempotency.fingerprint) {
      return idempotencyConflict();
    }
    const { value, balance } = JSON.parse(row.response_body) as StoredOutcome;
    return { ok: true, value: value as T, replayed: true, balance, currentBalance: transaction.balance };
  }
  const rolledOver = transaction.entriesWritten;
  const outcome = await work(transaction);
  if (!outcome.ok) {
    assert(transaction.entriesWritten === rolledOver, 'a use case failed after writing ledger entries');
    // A failed request keeps no key, so the client can retry it once the cause is fixed (the
    // transaction still commits what fell due meanwhile, such as a new period's grant).
    if (idempotency) await releaseIdempotencyKey(tx, idempotency);
    return outcome;
  }
  const { ok: _ok, ...value } = outcome;
  const balance = transaction.balance;
  if (idempotency) {
    const stored: StoredOutcome = { value, balance };
    // The status is the use case's success; the HTTP route picks the status code it answers with.
    await completeIdempotencyKey(tx, idempotency, 200, JSON.stringify(stored));
  }
  return { ok: true, value: value as unknown as T, replayed: false, balance, currentBalance: balance };
}

async function finishIfChanged(transaction: AccountTransaction): Promise<void> {
  if (transaction.changed || transaction.hasPendingWrites) await transaction.finish();
}

async function openAccountTransaction(
  context: AppContext,
  tx: Kysely<Database>,
  dialect: Dialect,
  accountId: string,
): Promise<{ ok: true; transaction: AccountTransaction } | Failure> {
  const account = await lockAccount(tx, dialect, accountId);
  if (!account) return fail('not_found', `account ${accountId} not found`);
  const plan = context.plans.plan(account.plan_id);
  assert(plan, `account ${accountId} is on plan ${account.plan_id}, which is not in the catalog`);
  const grants = (await openGrants(tx, accountId)).map(toGrantState);
  // Time never runs backwards for one account, even when this process's clock lags the clock of
  // the process that wrote the account's latest entry.
  const now = Math.max(context.clock.now(), account.ledger_at);
  return { ok: true, transaction: new AccountTransaction({ tx, dialect, account, plan, grants, now }) };
}

