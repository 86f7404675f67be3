// Customer users, operator users and their sign-in sessions. Emails arrive normalized
// (src/app/users/emails.ts); tokens arrive hashed.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AccountsTable, Database, OperatorUsersTable, UsersTable } from './schema.ts';
import type { Dialect } from './database.ts';

export type UserRow = Selectable<UsersTable>;
export type OperatorUserRow = Selectable<OperatorUsersTable>;

export async function insertUser(db: Kysely<Database>, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function insertOperatorUser(db: Kysely<Database>, row: OperatorUserRow): Promise<void> {
  await db.insertInto('operator_users').values(row).execute();
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findOperatorByEmail(db: Kysely<Database>, email: string): Promise<OperatorUserRow | undefined> {
  return db.selectFrom('operator_users').selectAll().where('email', '=', email).executeTakeFirst();
}

/** Whether any user, customer or operator, signs in with `email`. */
export async function emailTaken(db: Kysely<Database>, email: string): Promise<boolean> {
  const [user, operator] = await Promise.all([findUserByEmail(db, email), findOperatorByEmail(db, email)]);
  return user !== undefined || operator !== undefined;
}

/**
 * Emails are unique within each table by a constraint; across the two tables, a writer checks
 * the other table first. On PostgreSQL two writers of the same email would both pass that check
 * under READ COMMITTED, so each takes a transaction-scoped advisory lock on the email first;
 * SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
 */
export async function lockEmail(tx: Kysely<Database>, dialect: Dialect, email: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`quarry_email:${email}`}))`.execute(tx);
}

export async function listUsers(db: Kysely<Database>, accountId: string, options: { limit: number; afterId?: string | undefined }): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll().where('account_id', '=', accountId);
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
    .selectAll('operator_users')
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
  return db.selectFrom('operator_users').selectAll().orderBy('id').limit(limit).execute();
}
