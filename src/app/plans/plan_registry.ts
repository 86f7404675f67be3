// The plan catalog in memory, loaded at start from the default catalog or QUARRY_PLANS_FILE,
// and written to the `plans` table so accounts can reference plans by key.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../lib/config.ts';
import type { Selectable } from 'kysely';
import type { Store } from '../../store/database.ts';
import type { PlansTable } from '../../store/schema.ts';
import { defaultPlanCatalog, features, type Bundle, type Plan, type PlanCatalog } from '../../domain/plans/plans.ts';

const identifier = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -');

const catalogFileSchema = z.object({
  plans: z
    .array(
      z.object({
        id: identifier,
        name: z.string().min(1).max(200),
        features: z.array(z.enum(features)),
        credits_per_period: z.number().int().min(0).max(100_000_000),
        period: z.enum(['month', 'year']),
        rate_limit_per_second: z.number().int('must be a whole number of requests per second').min(1).max(1_000_000).optional(),
      }),
    )
    .min(1),
  bundles: z
    .array(
      z.object({
        id: identifier,
        name: z.string().min(1).max(200),
        credits: z.number().int().positive().max(100_000_000),
        price_cents: z.number().int().min(0),
        currency: z.string().length(3),
      }),
    )
    .default([]),
});

export class PlanRegistry {
  readonly #plans: Map<string, Plan>;
  readonly #bundles: Map<string, Bundle>;
  /** Plans no longer in the catalog file but still held by accounts: readable, not assignable. */
  readonly #retired = new Map<string, Plan>();

  constructor(catalog: PlanCatalog) {
    this.#plans = new Map(catalog.plans.map((plan) => [plan.id, plan]));
    this.#bundles = new Map(catalog.bundles.map((bundle) => [bundle.id, bundle]));
  }

  /** The plan an account is on, including retired plans. */
  plan(id: string): Plan | undefined {
    return this.#plans.get(id) ?? this.#retired.get(id);
  }

  /** A plan of the current catalog, which new accounts and plan changes may use. */
  catalogPlan(id: string): Plan | undefined {
    return this.#plans.get(id);
  }

  addRetired(plan: Plan): void {
    if (!this.#plans.has(plan.id)) this.#retired.set(plan.id, plan);
  }

  allPlans(): Plan[] {
    return [...this.#plans.values()];
  }

  bundle(id: string): Bundle | undefined {
    return this.#bundles.get(id);
  }

  allBundles(): Bundle[] {
    return [...this.#bundles.values()];
  }
}

/** Reads a plan catalog file (JSON); throws a ConfigError with the file name and what is wrong. */
export function readPlanCatalogFile(path: string): PlanCatalog {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`QUARRY_PLANS_FILE: cannot read the plan catalog ${path}: ${(error as Error).message}`);
  }
  const parsed = catalogFileSchema.safeParse(content);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`QUARRY_PLANS_FILE: the plan catalog ${path} is invalid: ${problems.join('; ')}`);
  }
  return {
    plans: parsed.data.plans.map((plan) => ({
      id: plan.id,
      name: plan.name,
      features: plan.features,
      creditsPerPeriod: plan.credits_per_period,
      period: plan.period,
      rateLimitPerSecond: plan.rate_limit_per_second,
    })),
    bundles: parsed.data.bundles.map((bundle) => ({
      id: bundle.id,
      name: bundle.name,
      credits: bundle.credits,
      priceCents: bundle.price_cents,
      currency: bundle.currency,
    })),
  };
}

export function loadPlanCatalog(path: string | undefined): PlanCatalog {
  return path ? readPlanCatalogFile(path) : defaultPlanCatalog;
}

/**
 * Writes the catalog's plans to the database (insert or update by id). Plans that left the
 * catalog stay in the table and come back into the registry as retired, so accounts on them keep
 * working until an operator moves them.
 *
 * Only plans that differ from their row are written, in a write transaction (which on SQLite
 * waits its turn for the write lock): every CLI command boots through here, and one that wrote
 * unconditionally failed with "database is locked" while an import held the lock.
 */
export async function syncPlans(store: Store, registry: PlanRegistry, now: number): Promise<void> {
  const stored = await store.db.selectFrom('plans').selectAll().execute();
  const storedById = new Map(stored.map((row) => [row.id, row]));
  const changed = registry.allPlans().map(planRow).filter((row) => !samePlanRow(storedById.get(row.id), row));
  if (changed.length > 0) {
    await store.writeTransaction(async (tx) => {
      for (const row of changed) {
        const values = { ...row, updated_at: now };
        await tx
          .insertInto('plans')
          .values(values)
          .onConflict((conflict) => conflict.column('id').doUpdateSet({ ...values, id: undefined }))
          .execute();
      }
    });
  }
  // Rows of plans no longer in the catalog: the writes above never touch them.
  for (const row of stored) {
    registry.addRetired({
      id: row.id,
      name: row.name,
      features: JSON.parse(row.features) as Plan['features'],
      creditsPerPeriod: row.credits_per_period,
      period: row.period,
      rateLimitPerSecond: row.rate_limit_per_second ?? undefined,
    });
  }
}

type PlanRow = Omit<Selectable<PlansTable>, 'updated_at'>;

function planRow(plan: Plan): PlanRow {
  return {
    id: plan.id,
    name: plan.name,
    features: JSON.stringify(plan.features),
    credits_per_period: plan.creditsPerPeriod,
    period: plan.period,
    rate_limit_per_second: plan.rateLimitPerSecond ?? null,
  };
}

function samePlanRow(stored: PlanRow | undefined, row: PlanRow): boolean {
  return stored !== undefined && (Object.keys(row) as Array<keyof PlanRow>).every((column) => stored[column] === row[column]);
}
