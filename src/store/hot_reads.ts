// The reads on every API request's path: the API key with its account, the latest subscription
// to a record, and the record itself. Each query is built once with Kysely and run many times
// with new parameters, skipping the query builder. On SQLite they run synchronously on a
// read-only connection of their own: it sees only committed data, so a read can never observe a
// charge still in flight on the write connection, and it never waits behind a write.
import BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { AccountsTable, CompaniesTable, ContactsTable, Database, RecordType, SubscriptionsTable } from './schema.ts';
import type { ApiKeyWithAccount } from './api_keys.ts';

type Parameter = string | number | bigint | null;

/** Runs a compiled query with new values for its leading parameters. */
export interface ReadRunner {
  first<Row>(query: CompiledQuery<Row>, parameters: readonly Parameter[]): Promise<Row | undefined>;
  close(): void;
}

export interface HotReads {
  apiKeyWithAccount(tokenHash: string): Promise<ApiKeyWithAccount | undefined>;
  latestSubscription(accountId: string, recordType: RecordType, recordId: string): Promise<Selectable<SubscriptionsTable> | undefined>;
  company(id: string): Promise<Selectable<CompaniesTable> | undefined>;
  contact(id: string): Promise<Selectable<ContactsTable> | undefined>;
  close(): void;
}

function withParameters(query: CompiledQuery, parameters: readonly Parameter[]): readonly unknown[] {
  return [...parameters, ...query.parameters.slice(parameters.length)];
}

/** Runs the compiled queries through Kysely (PostgreSQL, or SQLite without a file). */
export function kyselyReadRunner(db: Kysely<Database>): ReadRunner {
  return {
    async first<Row>(query: CompiledQuery<Row>, parameters: readonly Parameter[]) {
      const result = await db.executeQuery<Row>({ ...query, parameters: withParameters(query, parameters) });
      return result.rows[0];
    },
    close: () => undefined,
  };
}

/** Runs the compiled queries synchronously on a read-only SQLite connection, opened on first use. */
export function sqliteReadRunner(path: string, busyTimeoutMs: number): ReadRunner {
  let connection: BetterSqlite3.Database | undefined;
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    first<Row>(query: CompiledQuery<Row>, parameters: readonly Parameter[]) {
      connection ??= new BetterSqlite3(path, { readonly: true, timeout: busyTimeoutMs });
      let statement = statements.get(query.sql);
      if (!statement) {
        statement = connection.prepare(query.sql);
        statements.set(query.sql, statement);
      }
      return Promise.resolve(statement.get(...withParameters(query, parameters)) as Row | undefined);
    },
    close: () => connection?.close(),
  };
}

export function createHotReads(db: Kysely<Database>, runner: ReadRunner): HotReads {
  // Placeholder values: only the SQL text and the parameter order are kept.
  const apiKeyQuery = db
    .selectFrom('api_keys')
    .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
    .select(['api_keys.id as key_id', 'api_keys.revoked_at as key_revoked_at'])
    .selectAll('accounts')
    .where('api_keys.token_hash', '=', '')
    .compile();
  const latestSubscriptionQuery = db
    .selectFrom('subscriptions')
    .selectAll()
    .where('account_id', '=', '')
    .where('record_type', '=', 'company')
    .where('record_id', '=', '')
    .orderBy('generation', 'desc')
    .limit(1)
    .compile();
  const companyQuery = db.selectFrom('companies').selectAll().where('id', '=', '').compile();
  const contactQuery = db.selectFrom('contacts').selectAll().where('id', '=', '').compile();
  return {
    async apiKeyWithAccount(tokenHash) {
      const row = await runner.first(apiKeyQuery, [tokenHash]);
      if (!row) return undefined;
      const { key_id: keyId, key_revoked_at: revokedAt, ...account } = row;
      return { keyId, revokedAt, account: account as Selectable<AccountsTable> };
    },
    latestSubscription: (accountId, recordType, recordId) => runner.first(latestSubscriptionQuery, [accountId, recordType, recordId]),
    company: (id) => runner.first(companyQuery, [id]),
    contact: (id) => runner.first(contactQuery, [id]),
    close: () => runner.close(),
  };
}
