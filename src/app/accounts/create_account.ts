// Opens a customer account on a plan: its first billing period starts now with the plan's
// allowance, and it gets its first API key (shown once) and, when asked, its owner user. The
// owner's password is hashed before the transaction opens, and a taken email undoes it all.
import { insertAccount, type AccountRow } from '../../store/accounts.ts';
import { claimIdempotencyKey, completeIdempotencyKey, type IdempotencyClaim } from '../../store/idempotency.ts';
import { periodBounds } from '../../domain/plans/periods.ts';
import { newId } from '../../lib/ids.ts';
import { unprocessable, type Failure, type Result } from '../../lib/result.ts';
import { boundedText } from '../../lib/bounded_text.ts';
import type { AppContext } from '../context.ts';
import { idempotencyConflict } from '../idempotency/create_once.ts';
import { AccountTransaction, type Origin } from '../credits/account_transaction.ts';
import { insertNewApiKey } from '../keys/create_api_key.ts';
import { insertNewUser } from '../users/create_user.ts';
import { emailProblem } from '../users/emails.ts';
import { hashPassword, passwordProblem } from '../users/passwords.ts';
import type { UserView } from '../users/views.ts';

export const accountNameCharsMax = 200;

export interface CreateAccountInput {
  name: string;
  planId: string;
  origin: Origin;
  idempotency?: Omit<IdempotencyClaim, 'accountId' | 'scope'>;
  /** The account's first user, its owner. */
  owner?: { email: string; password: string } | undefined;
}

export interface CreatedAccount {
  account_id: string;
  /** The secret, shown once: null on an idempotent replay, because only its hash is kept. */
  api_key: string | null;
  api_key_id: string;
  owner: UserView | null;
}

/** Thrown inside the transaction to roll it back (the idempotency claim included) when the owner is refused. */
class OwnerRefused extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

export async function createAccount(
  context: AppContext,
  input: CreateAccountInput,
): Promise<Result<CreatedAccount & { replayed: boolean }>> {
  const name = boundedText('name', input.name, accountNameCharsMax);
  if (typeof name !== 'string') return name;
  const plan = context.plans.catalogPlan(input.planId);
  if (!plan) return unprocessable(`unknown plan ${input.planId}`, 'plan_id');
  const emailRefusal = input.owner && emailProblem(input.owner.email);
  if (emailRefusal) return unprocessable(emailRefusal, 'owner_email');
  const passwordRefusal = input.owner && passwordProblem(input.owner.password);
  if (passwordRefusal) return unprocessable(passwordRefusal, 'owner_password');
  const ownerPasswordHash = input.owner && (await hashPassword(input.owner.password, context.passwordCost));
  const now = context.clock.now();
  const claim: IdempotencyClaim | undefined = input.idempotency
    ? { ...input.idempotency, accountId: '_operator', scope: 'operator' }
    : undefined;
  try {
    return await context.store.writeTransaction(async (tx) => {
      if (claim) {
        const claimed = await claimIdempotencyKey(tx, claim, now);
        if (!claimed.claimed) {
          if (claimed.row.fingerprint !== claim.fingerprint) {
            return idempotencyConflict();
          }
          return { ok: true as const, ...(JSON.parse(claimed.row.response_body) as CreatedAccount), replayed: true };
        }
      }
      const account: AccountRow = {
        id: newId('account'),
        name,
        plan_id: plan.id,
        created_at: now,
        period_anchor: now,
        period_epoch: 0,
        period_index: 0,
        balance: 0,
        ledger_seq: 0,
        next_event_at: periodBounds(now, plan.period, 0).end,
        ledger_at: now,
      };
      await insertAccount(tx, account);
      const transaction = new AccountTransaction({ tx, dialect: context.store.dialect, account, plan, grants: [], now });
      if (plan.creditsPerPeriod > 0) {
        await transaction.append({
          kind: 'grant',
          at: now,
          credits: plan.creditsPerPeriod,
          origin: input.origin,
          newGrant: { source: 'allowance', expiresAt: periodBounds(now, plan.period, 0).end, periodEpoch: 0, periodIndex: 0 },
        });
      }
      await transaction.finish();
      const apiKey = await insertNewApiKey(tx, account.id, 'default', now);
      let owner: UserView | null = null;
      if (input.owner && ownerPasswordHash) {
        const added = await insertNewUser(tx, {
          accountId: account.id,
          email: input.owner.email,
          role: 'owner',
          passwordHash: ownerPasswordHash,
          now,
          emailField: 'owner_email',
        });
        if (!added.ok) throw new OwnerRefused(added);
        owner = added.user;
      }
      const created: CreatedAccount = { account_id: account.id, api_key: apiKey.key, api_key_id: apiKey.id, owner };
      // The replay keeps everything but the secret, which is never stored in clear.
      if (claim) await completeIdempotencyKey(tx, claim, 201, JSON.stringify({ ...created, api_key: null }));
      return { ok: true as const, ...created, replayed: false };
    });
  } catch (error) {
    if (error instanceof OwnerRefused) return error.failure;
    throw error;
  }
}
