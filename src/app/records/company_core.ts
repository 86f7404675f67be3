// A company's core identifiers and the account's active subscription to it, if any: what the web
// app's company page shows before anything is unlocked. Reads only; never charges.
import { toSubscriptionState } from '../../store/subscriptions.ts';
import { isActive } from '../../domain/subscriptions/subscriptions.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { subscriptionView, type SubscriptionView } from '../views.ts';

export interface CompanyCore {
  id: string;
  name: string;
  domain: string | null;
  country: string | null;
  subscription: SubscriptionView | null;
}

export async function readCompanyCore(context: AppContext, input: { accountId: string; companyId: string }): Promise<Result<{ company: CompanyCore }>> {
  const row = await context.store.reads.company(input.companyId);
  if (!row) return fail('not_found', `no company ${input.companyId}`);
  const latest = await context.store.reads.latestSubscription(input.accountId, 'company', row.id);
  const active = latest !== undefined && isActive(toSubscriptionState(latest), context.clock.now());
  return {
    ok: true,
    company: { id: row.id, name: row.name, domain: row.domain, country: row.country, subscription: active ? subscriptionView(latest) : null },
  };
}
