// The demo of `npm start`: a synthetic catalog (seeded once), one account per plan, an owner user
// per demo account and one operator user. API keys are stored only as hashes, so they are printed
// when the demo accounts are created; later starts list the accounts and say how to issue a new
// key. The demo users' passwords, random per install, are kept in the settings table so every
// start can print them: the demo exists to be tried (QUARRY_DEMO=false keeps it out of production).
import type { AppContext } from '../context.ts';
import { countCompanies } from '../../store/catalog.ts';
import { seedCatalog } from '../catalog/seed_catalog.ts';
import { createAccount } from '../accounts/create_account.ts';
import { systemOrigin } from '../credits/account_transaction.ts';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { insertNewUser } from '../users/create_user.ts';
import { insertNewOperatorUser } from '../users/create_operator_user.ts';
import { hashPassword } from '../users/passwords.ts';

export const demoCompanies = 2_000;
export const demoSeed = 42;
const demoAccountsKey = 'demo_accounts';
const demoUsersKey = 'demo_users';
/** The demo users' emails: `.example` is reserved (RFC 2606), so they reach nobody. */
export const demoEmailDomain = 'quarry.example';

export interface DemoAccount {
  account_id: string;
  plan_id: string;
  name: string;
  /** Present only when the account was created by this start. */
  api_key?: string;
}

export interface DemoUser {
  email: string;
  password: string;
  role: 'owner' | 'operator';
  /** The demo account the owner belongs to; null for the operator. */
  account_id: string | null;
  plan_id: string | null;
}

export interface DemoState {
  seededCompanies: number;
  accounts: DemoAccount[];
  users: DemoUser[];
}

export async function ensureDemo(context: AppContext, onProgress?: (done: number, total: number) => void): Promise<DemoState> {
  const { db } = context.store;
  let seededCompanies = 0;
  if ((await countCompanies(db)) === 0) {
    await seedCatalog(context.store, { companies: demoCompanies, seed: demoSeed, now: context.clock.now(), onProgress });
    seededCompanies = demoCompanies;
  }
  const accounts = await ensureDemoAccounts(context);
  const users = await ensureDemoUsers(context, accounts);
  return { seededCompanies, accounts, users };
}

async function ensureDemoAccounts(context: AppContext): Promise<DemoAccount[]> {
  const { db } = context.store;
  const stored = await db.selectFrom('settings').select('value').where('key', '=', demoAccountsKey).executeTakeFirst();
  if (stored) return JSON.parse(stored.value) as DemoAccount[];
  const accounts: DemoAccount[] = [];
  for (const plan of context.plans.allPlans()) {
    const name = `Demo ${plan.name}`;
    const created = await createAccount(context, { name, planId: plan.id, origin: systemOrigin });
    if (!created.ok) throw new Error(`could not create the demo account for ${plan.id}: ${created.message}`);
    accounts.push({ account_id: created.account_id, plan_id: plan.id, name, api_key: created.api_key ?? undefined });
  }
  const withoutKeys = accounts.map(({ api_key: _key, ...account }) => account);
  await db.insertInto('settings').values({ key: demoAccountsKey, value: JSON.stringify(withoutKeys) }).execute();
  return accounts;
}

/**
 * An owner per demo account and one operator; made once (also for a demo made before users
 * existed). All of them and the settings row that remembers their passwords are written in one
 * transaction: a start interrupted halfway leaves no user behind, so the next start makes them
 * all again rather than finding some emails taken (and their passwords lost).
 */
async function ensureDemoUsers(context: AppContext, accounts: DemoAccount[]): Promise<DemoUser[]> {
  const stored = await storedDemoUsers(context);
  if (stored) return stored;
  const users: DemoUser[] = [
    ...accounts.map((account): DemoUser => ({ email: `owner.${account.plan_id}@${demoEmailDomain}`, password: demoPassword(), role: 'owner', account_id: account.account_id, plan_id: account.plan_id })),
    { email: `operator@${demoEmailDomain}`, password: demoPassword(), role: 'operator', account_id: null, plan_id: null },
  ];
  // Hashed before the transaction opens: scrypt is slow on purpose and must not hold the write lock.
  const hashes = await Promise.all(users.map((user) => hashPassword(user.password, context.passwordCost)));
  try {
    await context.store.writeTransaction(async (tx) => {
      for (const [index, user] of users.entries()) {
        await insertDemoUser(tx, context, user, hashes[index]!);
      }
      await tx.insertInto('settings').values({ key: demoUsersKey, value: JSON.stringify(users) }).execute();
    });
  } catch (error) {
    // Another server process starting on the same database may have made them first.
    const raced = await storedDemoUsers(context);
    if (raced) return raced;
    throw error;
  }
  return users;
}

async function storedDemoUsers(context: AppContext): Promise<DemoUser[] | undefined> {
  const stored = await context.store.db.selectFrom('settings').select('value').where('key', '=', demoUsersKey).executeTakeFirst();
  return stored ? (JSON.parse(stored.value) as DemoUser[]) : undefined;
}

/** Inserts one demo user inside the transaction; a failure throws, so the transaction rolls back whole. */
async function insertDemoUser(tx: Kysely<Database>, context: AppContext, user: DemoUser, passwordHash: string): Promise<void> {
  const now = context.clock.now();
  const created =
    user.account_id === null
      ? await insertNewOperatorUser(tx, { email: user.email, passwordHash, now })
      : await insertNewUser(tx, { accountId: user.account_id, email: user.email, role: 'owner', passwordHash, now, emailField: 'email' });
  if (!created.ok) throw new Error(`could not create the demo user ${user.email}: ${created.message}`);
}

/** 12 random characters (72 bits): typed by hand from the start banner. */
function demoPassword(): string {
  return randomBytes(9).toString('base64url');
}
