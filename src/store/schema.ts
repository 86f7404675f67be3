// The database's shape, as Kysely sees it. Times are integers: milliseconds since the Unix
// epoch (UTC), the same on SQLite and PostgreSQL. Credits are integers. JSON is stored as text.
import type { ColumnType } from 'kysely';

export interface PlansTable {
  id: string;
  name: string;
  /** JSON array of feature names. */
  features: string;
  credits_per_period: number;
  period: 'month' | 'year';
  /** Requests per second per API key; null means the default. */
  rate_limit_per_second: number | null;
  updated_at: number;
}

export interface AccountsTable {
  id: string;
  name: string;
  plan_id: string;
  created_at: number;
  /** Billing periods are counted from this instant (the account's start, or its last plan change). */
  period_anchor: number;
  /** Incremented by every plan change; with period_index it names one billing period. */
  period_epoch: number;
  /** The latest period (counted from the anchor) whose allowance has been granted. */
  period_index: number;
  /** Mirror of the ledger's sum, updated in the same transaction as each entry. */
  balance: number;
  /** Sequence number of the latest ledger entry. */
  ledger_seq: number;
  /** The earliest instant at which a grant expires or a period begins; work is due then. */
  next_event_at: number;
  /** The time of the latest ledger entry (entries are dated in order, whatever the clocks). */
  ledger_at: number;
}

export interface ApiKeysTable {
  account_id: string;
  id: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  token_hash: string;
  /** The first characters of the secret, to recognise a key in lists. */
  token_prefix: string;
  name: string | null;
  created_at: number;
  revoked_at: number | null;
}

export type GrantSource = 'allowance' | 'top_up' | 'adjustment' | 'refund';

export interface CreditGrantsTable {
  account_id: string;
  id: string;
  source: GrantSource;
  credits: number;
  remaining: number;
  expires_at: number;
  created_at: number;
  /** The ledger entry that created the grant; orders grants created at the same instant. */
  created_seq: number;
  period_epoch: number | null;
  period_index: number | null;
  bundle_id: string | null;
  note: string | null;
}

export type LedgerKind = 'grant' | 'charge' | 'expire' | 'refund' | 'adjust';
export type Channel = 'api' | 'web' | 'visit' | 'operator' | 'system';
export type ActorType = 'api_key' | 'user' | 'operator' | 'system';
export type RecordType = 'company' | 'contact';

export interface LedgerEntriesTable {
  account_id: string;
  seq: number;
  id: string;
  at: number;
  kind: LedgerKind;
  credits: number;
  balance_after: number;
  /** The grant the entry created or drew from, when it touched exactly one. */
  grant_id: string | null;
  record_type: RecordType | null;
  record_id: string | null;
  subscription_id: string | null;
  channel: Channel;
  actor_type: ActorType;
  actor_id: string | null;
  note: string | null;
}

/** How each ledger entry moved each grant: the sum per grant is the grant's remainder. */
export interface LedgerAllocationsTable {
  account_id: string;
  entry_seq: number;
  grant_id: string;
  credits: number;
}

export type SubscriptionSource = 'credit' | 'web_visit' | 'grant';

export interface SubscriptionsTable {
  account_id: string;
  id: string;
  record_type: RecordType;
  record_id: string;
  /** 1 for the first subscription of this account to this record, then 2, 3… (unique). */
  generation: number;
  source: SubscriptionSource;
  started_at: number;
  expires_at: number;
  /** Set when a refund ended the subscription early. */
  ended_at: number | null;
  charge_seq: number | null;
  refund_seq: number | null;
}

export interface IdempotencyKeysTable {
  account_id: string;
  /** Which caller's keys: `customer` or `operator`. */
  scope: string;
  key: string;
  fingerprint: string;
  status_code: number;
  response_body: string;
  created_at: number;
}

/** Migration 0004: one row per searched scope (domain/search/word_statistics.ts). */
export interface SearchStatisticsTable {
  scope: string;
  /** bigint on PostgreSQL, which the driver returns as a string. */
  documents: number | string;
  sampled: number;
  /** Grows by one at every refresh, so a process can tell its cached estimates are stale. */
  generation: number;
}

export interface SearchWordStatisticsTable {
  scope: string;
  word: string;
  sampled_documents: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface CompaniesTable {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employees: number | null;
  revenue_usd: number | null;
  country: string | null;
  city: string | null;
  founded: number | null;
  description: string | null;
  /**
   * JSON array of technology names (also, for search, in company_technologies on PostgreSQL and
   * in the FTS5 table company_technology_search on SQLite: migration 0007).
   */
  technologies: string;
  /** JSON array of CIDR strings (also in company_ip_ranges, for lookups). */
  ip_ranges: string;
  updated_at: number;
}

/** PostgreSQL only: SQLite searches technologies in company_technology_search (migration 0007). */
export interface CompanyTechnologiesTable {
  company_id: string;
  technology: string;
}

export interface CompanyIpRangesTable {
  company_id: string;
  cidr: string;
  /** 4 or 6. */
  family: number;
  /** First and last address, as fixed-width lowercase hex, so text order is address order. */
  first_address: string;
  last_address: string;
}

export interface CompanySignalsTable {
  company_id: string;
  position: number;
  type: string;
  title: string;
  occurred_at: number;
}

export interface CompanyFinancialsTable {
  company_id: string;
  year: number;
  revenue_usd: number | null;
  employees: number | null;
}

export interface CompanyNewsTable {
  company_id: string;
  position: number;
  title: string;
  url: string | null;
  source: string | null;
  published_at: number | null;
  summary: string | null;
}

export interface ContactsTable {
  id: string;
  company_id: string;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  seniority: string | null;
  department: string | null;
  email: string | null;
  phone: string | null;
  linkedin_url: string | null;
  country: string | null;
  updated_at: number;
}

export type UserRole = 'owner' | 'member';

/** A customer user: signs in to the web app and acts for one account. */
export interface UsersTable {
  account_id: string;
  id: string;
  /** Trimmed and lowercase; unique across all accounts. */
  email: string;
  role: UserRole;
  /** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (src/app/users/passwords.ts). */
  password_hash: string;
  created_at: number;
  /** Always `user` (a CHECK): half of the foreign key to sign_in_emails. Defaulted, never written. */
  email_kind: ColumnType<'user', undefined, never>;
}

export type SignInEmailKind = 'user' | 'operator';

/** Every sign-in email, once: the database's guarantee that one email is one person of one kind. */
export interface SignInEmailsTable {
  email: string;
  kind: SignInEmailKind;
}

/** A signed-in customer user's session; times are wall time (sessions do not follow the test clock). */
export interface UserSessionsTable {
  account_id: string;
  /** SHA-256 of the session token, hex. The token itself is only in the browser's cookie. */
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

/** A person of the vendor: signs in to the operator console. Belongs to no account. */
export interface OperatorUsersTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
  /** Always `operator` (a CHECK): half of the foreign key to sign_in_emails. Defaulted, never written. */
  email_kind: ColumnType<'operator', undefined, never>;
}

export interface OperatorSessionsTable {
  token_hash: string;
  operator_id: string;
  created_at: number;
  expires_at: number;
}

/** Migration 0005: a website an account tracks with the snippet of GET /t.js. */
export interface SitesTable {
  account_id: string;
  id: string;
  /** A lowercase host name (domain/visitors/sites.ts). */
  domain: string;
  created_at: number;
}

/** Migration 0005: the visits of one company to one site, aggregated. Never the visitor's IP. */
export interface SiteVisitsTable {
  account_id: string;
  site_id: string;
  company_id: string;
  /** Page views attributed to the company. */
  visits: number;
  first_seen: number;
  last_seen: number;
  /** JSON array of distinct page paths, bounded (domain/visitors/visits.ts). */
  pages: string;
  /** JSON array of distinct referring hosts, bounded. */
  referrers: string;
}

export interface Database {
  plans: PlansTable;
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  credit_grants: CreditGrantsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_allocations: LedgerAllocationsTable;
  subscriptions: SubscriptionsTable;
  idempotency_keys: IdempotencyKeysTable;
  settings: SettingsTable;
  companies: CompaniesTable;
  company_technologies: CompanyTechnologiesTable;
  company_ip_ranges: CompanyIpRangesTable;
  company_signals: CompanySignalsTable;
  company_financials: CompanyFinancialsTable;
  company_news: CompanyNewsTable;
  contacts: ContactsTable;
  search_statistics: SearchStatisticsTable;
  search_word_statistics: SearchWordStatisticsTable;
  sign_in_emails: SignInEmailsTable;
  users: UsersTable;
  user_sessions: UserSessionsTable;
  operator_users: OperatorUsersTable;
  operator_sessions: OperatorSessionsTable;
  sites: SitesTable;
  site_visits: SiteVisitsTable;
}
