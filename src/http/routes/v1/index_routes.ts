// Every endpoint of the customer API, one file each.
import type { AppContext } from '../../../app/context.ts';
import type { RouteApp } from '../../route_app.ts';
import { registerAccountGet } from './account_get.ts';
import { registerCreditsLedgerList } from './credits_ledger_list.ts';
import { registerCreditsBundlesList } from './credits_bundles_list.ts';
import { registerCreditsTopUpsCreate } from './credits_top_ups_create.ts';
import { registerCompaniesCoreGet } from './companies_core_get.ts';
import { registerCompaniesGet } from './companies_get.ts';
import { registerCompaniesSignalsList } from './companies_signals_list.ts';
import { registerCompaniesFinancialsList } from './companies_financials_list.ts';
import { registerCompaniesNewsList } from './companies_news_list.ts';
import { registerContactsGet } from './contacts_get.ts';
import { registerSubscriptionsList } from './subscriptions_list.ts';
import { registerCompaniesList } from './companies_list.ts';
import { registerCompaniesSearch } from './companies_search.ts';
import { registerContactsList } from './contacts_list.ts';
import { registerIpGet } from './ip_get.ts';
import { registerCompaniesBatch } from './companies_batch.ts';
import { registerContactsBatch } from './contacts_batch.ts';
import { registerCreditsQuote } from './credits_quote.ts';
import { registerSessionCreate } from './session_create.ts';
import { registerSessionGet } from './session_get.ts';
import { registerSessionDelete } from './session_delete.ts';
import { registerMembersList } from './members_list.ts';
import { registerMembersCreate } from './members_create.ts';
import { registerMembersDelete } from './members_delete.ts';
import { registerApiKeysList } from './api_keys_list.ts';
import { registerApiKeysCreate } from './api_keys_create.ts';
import { registerApiKeysRevoke } from './api_keys_revoke.ts';
import { registerEventsStream } from './events_stream.ts';
import { registerSitesCreate } from './sites_create.ts';
import { registerSitesList } from './sites_list.ts';
import { registerVisitorsList } from './visitors_list.ts';
import type { SignInThrottle } from '../../rate_limit.ts';

export interface CustomerRouteOptions {
  /** Limits sign-ins per client IP and per email; omitted (QUARRY_RATE_LIMIT=0), they are not limited. */
  signInThrottle?: SignInThrottle | undefined;
}

export function registerCustomerRoutes(app: RouteApp, context: AppContext, options: CustomerRouteOptions = {}): void {
  registerSessionCreate(app, context, options.signInThrottle);
  for (const register of [
    registerAccountGet,
    registerCreditsLedgerList,
    registerCreditsBundlesList,
    registerCreditsTopUpsCreate,
    registerCompaniesCoreGet,
    registerCompaniesGet,
    registerCompaniesSignalsList,
    registerCompaniesFinancialsList,
    registerCompaniesNewsList,
    registerContactsGet,
    registerSubscriptionsList,
    registerCompaniesList,
    registerCompaniesSearch,
    registerContactsList,
    registerIpGet,
    registerCompaniesBatch,
    registerContactsBatch,
    registerCreditsQuote,
    registerSessionGet,
    registerSessionDelete,
    registerMembersList,
    registerMembersCreate,
    registerMembersDelete,
    registerApiKeysList,
    registerApiKeysCreate,
    registerApiKeysRevoke,
    registerEventsStream,
    registerSitesCreate,
    registerSitesList,
    registerVisitorsList,
  ]) {
    register(app, context);
  }
}
