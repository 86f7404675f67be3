// The plan catalog: what each plan unlocks, how many credits it grants per period, and how long
// a period is. A vendor can replace the default catalog with a file (QUARRY_PLANS_FILE).

export const features = ['web_app', 'api_basic', 'api_advanced', 'website_visitors'] as const;
export type Feature = (typeof features)[number];

export type PeriodLength = 'month' | 'year';

export interface Plan {
  id: string;
  name: string;
  features: readonly Feature[];
  creditsPerPeriod: number;
  period: PeriodLength;
  /** Requests per second per API key; undefined means the server's default. */
  rateLimitPerSecond?: number | undefined;
}

/** A top-up bundle an account can buy self-serve (`POST /v1/credits/top-ups`). */
export interface Bundle {
  id: string;
  name: string;
  credits: number;
  /** The price, for display; Quarry records it but takes no payment itself. */
  priceCents: number;
  currency: string;
}

export interface PlanCatalog {
  plans: readonly Plan[];
  bundles: readonly Bundle[];
}

export function planHasFeature(plan: Pick<Plan, 'features'>, feature: Feature): boolean {
  return plan.features.includes(feature);
}

/** The three default plans of DESIGN.md and a few top-up bundles. */
export const defaultPlanCatalog: PlanCatalog = {
  plans: [
    {
      id: 'platform',
      name: 'Platform',
      features: ['web_app', 'api_basic', 'api_advanced', 'website_visitors'],
      creditsPerPeriod: 1000,
      period: 'month',
    },
    {
      id: 'api_standalone',
      name: 'API standalone',
      features: ['api_basic', 'api_advanced'],
      creditsPerPeriod: 5000,
      period: 'month',
    },
    {
      id: 'web_visitors',
      name: 'Web visitors',
      features: ['web_app', 'api_basic', 'website_visitors'],
      creditsPerPeriod: 100,
      period: 'month',
    },
  ],
  bundles: [
    { id: 'credits_100', name: '100 credits', credits: 100, priceCents: 9_900, currency: 'USD' },
    { id: 'credits_500', name: '500 credits', credits: 500, priceCents: 44_900, currency: 'USD' },
    { id: 'credits_2500', name: '2,500 credits', credits: 2500, priceCents: 199_900, currency: 'USD' },
  ],
};
