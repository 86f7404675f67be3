// Customer users, operator users and their sign-in sessions. Emails arrive normalized
// (src/app/users/emails.ts); tokens arrive hashed.
import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable, Database, OperatorUsersTable, SignInEmailKind, UsersTable } from './schema.ts';

/** A row without its `email_kind`, which is constant (a CHECK) and exists only for the foreign key. */
export type UserRow = Omit<Selectable<UsersTable>, 'email_kind'>;
export type OperatorUserRow = Omit<Selectable<OperatorUsersTable>, 'email_kind'>;

/**
 * Reserves `email` for a user of `kind`, in the caller's transaction, before the user row that
 * references it; false when the email is already some user's, of either kind. The primary key
 * decides: on PostgreSQL a concurrent writer of the same email waits for the first to commit
 * (or roll back), then finds it taken (or takes it). ON CONFLICT DO NOTHING reports the unique
 * violation as a value without aborting a PostgreSQL transaction.
 */
export async function reserveSignInEmail(tx: Kysely<Database>, email: string, kind: SignInEmailKind): Promise<boolean> {
  const inserted = await tx
    .insertInto('sign_in_emails')
    .values({ email, kind })
    .onConflict((conflict) => conflict.column('email').doNothing())
    .executeTakeFirst();
  return inserted.numInsertedOrUpdatedRows === 1n;
}

const userColumns = ['account_id', 'id', 'email', 'role', 'password_hash', 'created_at'] as const;
const operatorColumns = ['id', 'email', 'password_hash', 'created_at'] as const;

export async function insertUser(db: Kysely<Database>, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function insertOperatorUser(db: Kysely<Database>, row: OperatorUserRow): Promise<void> {
  await db.insertInto('operator_users').values(row).execute();
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(userColumns).where('email', '=', email).executeTakeFirst();
}

export async function findOperatorByEmail(db: Kysely<Database>, email: string): Promise<OperatorUserRow | undefined> {
  return db.selectFrom('operator_users').select(operatorColumns).where('email', '=', email).executeTakeFirst();
}

/** One user of an account, if it exists there. */
export async function findUser(db: Kysely<Database>, accountId: string, userId: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .select(userColumns)
    .where('account_id', '=', accountId)
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** How many owners the account has. */
export async function countOwners(db: Kysely<Database>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('owners'))
    .where('account_id', '=', accountId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.owners);
}

/**
 * Deletes a user, its sessions (by the foreign key's cascade) and its sign-in email, which can
 * then be used again, in the caller's transaction.
 */
export async function deleteUser(tx: Kysely<Database>, user: { account_id: string; id: string; email: string }): Promise<void> {
  await tx.deleteFrom('users').where('account_id', '=', user.account_id).where('id', '=', user.id).execute();
  await tx.deleteFrom('sign_in_emails').where('email', '=', user.email).where('kind', '=', 'user').execute();
}

export async function listUsers(db: Kysely<Database>, accountId: string, options: { limit: number; afterId?: string | undefined }): Promise<UserRow[]> {
  let query = db.selectFrom('users').select(userColumns).where('account_id', '=', accountId);
  if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
  return query.orderBy('id').limit(options.limit).execute();
}

export async function insertUserSession(
  db: Kysely<Database>,
  row: { account_id: string; token_hash: string; user_id: string; created_at: number; expires_at: number },
): Promise<void> {
  await db.insertInto('user_sessions').values(row).execute();
}

export async function insertOperatorSession(
  db: Kysely<Database>,
  row: { token_hash: string; operator_id: string; created_at: number; expires_at: number },
): Promise<void> {
  await db.insertInto('operator_sessions').values(row).execute();
}

export interface UserSessionWithAccount {
  expiresAt: number;
  user: UserRow;
  account: Selectable<AccountsTable>;
}

export async function findUserSession(db: Kysely<Database>, tokenHash: string): Promise<UserSessionWithAccount | undefined> {
  const row = await db
    .selectFrom('user_sessions')
    .innerJoin('users', (join) => join.onRef('users.account_id', '=', 'user_sessions.account_id').onRef('users.id', '=', 'user_sessions.user_id'))
    .innerJoin('accounts', 'accounts.id', 'user_sessions.account_id')
    .select([
      'user_sessions.expires_at as session_expires_at',
      'users.id as user_id',
      'users.email as user_email',
      'users.role as user_role',
      'users.password_hash as user_password_hash',
      'users.created_at as user_created_at',
    ])
    .selectAll('accounts')
    .where('user_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { session_expires_at, user_id, user_email, user_role, user_password_hash, user_created_at, ...account } = row;
  return {
    expiresAt: session_expires_at,
    user: { account_id: account.id, id: user_id, email: user_email, role: user_role, password_hash: user_password_hash, created_at: user_created_at },
    account,
  };
}

export async function findOperatorSession(
  db: Kysely<Database>,
  tokenHash: string,
): Promise<{ expiresAt: number; operator: OperatorUserRow } | undefined> {
  const row = await db
    .selectFrom('operator_sessions')
    .innerJoin('operator_users', 'operator_users.id', 'operator_sessions.operator_id')
    .select(['operator_sessions.expires_at as session_expires_at'])
    .select(operatorColumns.map((column) => `operator_users.${column}` as const))
    .where('operator_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { session_expires_at, ...operator } = row;
  return { expiresAt: session_expires_at, operator };
}

export async function deleteUserSession(db: Kysely<Database>, tokenHash: string): Promise<void> {
  await db.deleteFrom('user_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteOperatorSession(db: Kysely<Database>, tokenHash: string): Promise<void> {
  await db.deleteFrom('operator_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Removes a user's sessions that have expired (at sign-in, so they do not pile up). */
export async function deleteExpiredUserSessions(db: Kysely<Database>, user: { account_id: string; id: string }, now: number): Promise<void> {
  await db
    .deleteFrom('user_sessions')
    .where('account_id', '=', user.account_id)
    .where('user_id', '=', user.id)
    .where('expires_at', '<=', now)
    .execute();
}

export async function deleteExpiredOperatorSessions(db: Kysely<Database>, operatorId: string, now: number): Promise<void> {
  await db.deleteFrom('operator_sessions').where('operator_id', '=', operatorId).where('expires_at', '<=', now).execute();
}

export async function listOperatorUsers(db: Kysely<Database>, limit: number): Promise<OperatorUserRow[]> {
  return db.selectFrom('operator_users').select(operatorColumns).orderBy('id').limit(limit).execute();
}
