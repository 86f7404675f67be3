// The demo of `npm start`: a synthetic catalog (seeded once) and one account per plan. API keys
// are stored only as hashes, so they are printed when the demo accounts are created; later
// starts list the accounts and say how to issue a new key.
import type { AppContext } from '../context.ts';
import { countCompanies } from '../../store/catalog.ts';
import { seedCatalog } from '../catalog/seed_catalog.ts';
import { createAccount } from '../accounts/create_account.ts';
import { systemOrigin } from '../credits/account_transaction.ts';

export const demoCompanies = 2_000;
export const demoSeed = 42;
const demoAccountsKey = 'demo_accounts';

export interface DemoAccount {
  account_id: string;
  plan_id: string;
  name: string;
  /** Present only when the account was created by this start. */
  api_key?: string;
}

export interface DemoState {
  seededCompanies: number;
  accounts: DemoAccount[];
}

export async function ensureDemo(context: AppContext, onProgress?: (done: number, total: number) => void): Promise<DemoState> {
  const { db } = context.store;
  let seededCompanies = 0;
  if ((await countCompanies(db)) === 0) {
    await seedCatalog(context.store, { companies: demoCompanies, seed: demoSeed, now: context.clock.now(), onProgress });
    seededCompanies = demoCompanies;
  }
  const stored = await db.selectFrom('settings').select('value').where('key', '=', demoAccountsKey).executeTakeFirst();
  if (stored) return { seededCompanies, accounts: JSON.parse(stored.value) as DemoAccount[] };
  const accounts: DemoAccount[] = [];
  for (const plan of context.plans.allPlans()) {
    const name = `Demo ${plan.name}`;
    const created = await createAccount(context, { name, planId: plan.id, origin: systemOrigin });
    if (!created.ok) throw new Error(`could not create the demo account for ${plan.id}: ${created.message}`);
    accounts.push({ account_id: created.account_id, plan_id: plan.id, name, api_key: created.api_key ?? undefined });
  }
  const withoutKeys = accounts.map(({ api_key: _key, ...account }) => account);
  await db.insertInto('settings').values({ key: demoAccountsKey, value: JSON.stringify(withoutKeys) }).execute();
  return { seededCompanies, accounts };
}
