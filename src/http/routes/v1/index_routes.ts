// Every endpoint of the customer API, one file each.
import type { AppContext } from '../../../app/context.ts';
import type { RouteApp } from '../../route_app.ts';
import { registerAccountGet } from './account_get.ts';
import { registerCreditsLedgerList } from './credits_ledger_list.ts';
import { registerCreditsBundlesList } from './credits_bundles_list.ts';
import { registerCreditsTopUpsCreate } from './credits_top_ups_create.ts';
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

export function registerCustomerRoutes(app: RouteApp, context: AppContext): void {
  for (const register of [
    registerAccountGet,
    registerCreditsLedgerList,
    registerCreditsBundlesList,
    registerCreditsTopUpsCreate,
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
  ]) {
    register(app, context);
  }
}
