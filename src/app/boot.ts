// Builds the AppContext from the configuration: opens (and migrates) the store, loads the plan
// catalog, picks the clock. Shared by the server and every CLI command.
import pino, { type Logger } from 'pino';
import type { Config } from '../lib/config.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { openStore } from '../store/database.ts';
import { ensureSearchStatistics } from '../store/search_statistics.ts';
import type { AppContext } from './context.ts';
import { CreditEvents } from './credits/credit_events.ts';
import { PlanRegistry, loadPlanCatalog, syncPlans } from './plans/plan_registry.ts';
import { loadManualClock } from './operator/set_clock.ts';

export interface BootOptions {
  config: Config;
  logger?: Logger;
  /** Tests pass their own clock. */
  clock?: Clock;
}

export async function bootApp(options: BootOptions): Promise<AppContext> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel });
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  const clock = options.clock ?? (config.clock === 'manual' ? await loadManualClock(store.db) : systemClock);
  const plans = new PlanRegistry(loadPlanCatalog(config.plansFile));
  await syncPlans(store, plans, clock.now());
  // Searches estimate their words' matches from these (store/search_statistics.ts).
  await ensureSearchStatistics(store);
  const events = new CreditEvents((error) => logger.error({ err: error }, 'a balance listener failed'));
  return { store, clock, plans, logger, events };
}
