// Users and sign-in sessions (issue #4): customer users belong to one account as `owner` or
// `member`; operator users belong to the vendor and have no account, so they live in their own
// table (with their own sessions) rather than beside a nullable account_id. Frozen once landed.
//
// Customer tables lead their keys with account_id (DESIGN.md, "Beyond one database"). Emails are
// stored trimmed and lowercase, and the CHECKs refuse anything else, so the unique keys compare
// what a person means.
//
// One email signs in one person, customer or operator: `sign_in_emails` holds every sign-in
// email once (its primary key) with the kind of user it belongs to. `users` and `operator_users`
// each reference it by (email, kind) with their kind column pinned by a CHECK to their own kind,
// so an email taken by one kind can never be inserted for the other, whatever the application
// does and however writers race. The reference has no cascade: an email stays reserved while its
// user exists, and deleting a user deletes its email row in the same transaction. Only a SHA-256 hash of a session token is kept; the CSRF token is derived
// from the token itself (src/app/users/session_tokens.ts), so nothing more needs storing.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

/** An email as stored: lowercase, no surrounding spaces, bounded (RFC 5321: 320 at most). */
const normalizedEmail = sql`email = lower(trim(email)) and length(email) between 3 and 320 and email like '%_@_%'`;

export async function up(db: AnyDatabase): Promise<void> {
  await db.schema
    .createTable('sign_in_emails')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    // The target of the (email, kind) foreign keys below; the primary key alone keeps one kind per email.
    .addUniqueConstraint('sign_in_emails_email_kind', ['email', 'kind'])
    .addCheckConstraint('sign_in_emails_kind', sql`kind in ('user', 'operator')`)
    .addCheckConstraint('sign_in_emails_email_normalized', normalizedEmail)
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'member')`))
    .addColumn('password_hash', 'text', (c) => c.notNull().check(sql`password_hash like 'scrypt$%'`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('email_kind', 'text', (c) => c.notNull().defaultTo('user'))
    .addPrimaryKeyConstraint('users_pk', ['account_id', 'id'])
    // One person, one sign-in: an email names at most one user across all accounts.
    .addUniqueConstraint('users_one_per_email', ['email'])
    .addUniqueConstraint('users_one_per_id', ['id'])
    .addCheckConstraint('users_email_normalized', normalizedEmail)
    .addCheckConstraint('users_email_kind_is_user', sql`email_kind = 'user'`)
    .addForeignKeyConstraint('users_sign_in_email', ['email', 'email_kind'], 'sign_in_emails', ['email', 'kind'])
    .execute();

  await db.schema
    .createTable('user_sessions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_sessions_pk', ['account_id', 'token_hash'])
    // The cookie carries only the token, so sessions are found by its hash alone.
    .addUniqueConstraint('user_sessions_one_per_token', ['token_hash'])
    .addForeignKeyConstraint('user_sessions_user', ['account_id', 'user_id'], 'users', ['account_id', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .addCheckConstraint('user_sessions_expiry_after_creation', sql`expires_at > created_at`)
    .execute();
  await db.schema.createIndex('user_sessions_by_user').on('user_sessions').columns(['account_id', 'user_id']).execute();

  await db.schema
    .createTable('operator_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull().check(sql`password_hash like 'scrypt$%'`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('email_kind', 'text', (c) => c.notNull().defaultTo('operator'))
    .addUniqueConstraint('operator_users_one_per_email', ['email'])
    .addCheckConstraint('operator_users_email_normalized', normalizedEmail)
    .addCheckConstraint('operator_users_email_kind_is_operator', sql`email_kind = 'operator'`)
    .addForeignKeyConstraint('operator_users_sign_in_email', ['email', 'email_kind'], 'sign_in_emails', ['email', 'kind'])
    .execute();

  await db.schema
    .createTable('operator_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operator_users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('operator_sessions_expiry_after_creation', sql`expires_at > created_at`)
    .execute();
  await db.schema.createIndex('operator_sessions_by_operator').on('operator_sessions').column('operator_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('the users migration cannot be reverted');
}
