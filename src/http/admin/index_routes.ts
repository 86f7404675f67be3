// Every endpoint of the operator API, one file each.
import type { AppContext } from '../../app/context.ts';
import type { RouteApp } from '../route_app.ts';
import { registerAccountsCreate } from './accounts_create.ts';
import { registerPlansList } from './plans_list.ts';
import { registerAccountsList } from './accounts_list.ts';
import { registerAccountsGet } from './accounts_get.ts';
import { registerAccountsUpdate } from './accounts_update.ts';
import { registerTopUpsCreate } from './top_ups_create.ts';
import { registerAdjustmentsCreate } from './adjustments_create.ts';
import { registerRefundsCreate } from './refunds_create.ts';
import { registerApiKeysCreate } from './api_keys_create.ts';
import { registerApiKeysRevoke } from './api_keys_revoke.ts';
import { registerLedgerList } from './ledger_list.ts';
import { registerCatalogImport } from './catalog_import.ts';
import { registerClockSet } from './clock_set.ts';
import { registerReconcileGet } from './reconcile_get.ts';

export function registerOperatorRoutes(app: RouteApp, context: AppContext): void {
  for (const register of [
    registerAccountsCreate,
    registerAccountsList,
    registerPlansList,
    registerAccountsGet,
    registerAccountsUpdate,
    registerTopUpsCreate,
    registerAdjustmentsCreate,
    registerRefundsCreate,
    registerApiKeysCreate,
    registerApiKeysRevoke,
    registerLedgerList,
    registerCatalogImport,
    registerClockSet,
    registerReconcileGet,
  ]) {
    register(app, context);
  }
}
