// The public shapes of API.md, built from rows. Shared by the HTTP API and the CLI's --json.
import { toIso } from '../lib/clock.ts';
import type { LedgerEntryRow, GrantRow } from '../store/credits.ts';
import type { SubscriptionRow } from '../store/subscriptions.ts';
import type { Plan } from '../domain/plans/plans.ts';

export interface SubscriptionView {
  id: string;
  record_type: 'company' | 'contact';
  record_id: string;
  source: 'credit' | 'web_visit' | 'grant';
  started_at: string;
  expires_at: string;
  ended_at: string | null;
}

export function subscriptionView(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    record_type: row.record_type,
    record_id: row.record_id,
    source: row.source,
    started_at: toIso(row.started_at),
    expires_at: toIso(row.expires_at),
    ended_at: row.ended_at === null ? null : toIso(row.ended_at),
  };
}

export interface LedgerEntryView {
  id: string;
  seq: number;
  at: string;
  kind: LedgerEntryRow['kind'];
  credits: number;
  balance_after: number;
  grant_id: string | null;
  record: { type: 'company' | 'contact'; id: string } | null;
  subscription_id: string | null;
  channel: LedgerEntryRow['channel'];
  actor: { type: LedgerEntryRow['actor_type']; id: string | null };
  note: string | null;
}

export function ledgerEntryView(row: LedgerEntryRow): LedgerEntryView {
  return {
    id: row.id,
    seq: row.seq,
    at: toIso(row.at),
    kind: row.kind,
    credits: row.credits,
    balance_after: row.balance_after,
    grant_id: row.grant_id,
    record: row.record_type && row.record_id ? { type: row.record_type, id: row.record_id } : null,
    subscription_id: row.subscription_id,
    channel: row.channel,
    actor: { type: row.actor_type, id: row.actor_id },
    note: row.note,
  };
}

export interface GrantView {
  id: string;
  source: GrantRow['source'];
  credits: number;
  remaining: number;
  expires_at: string;
  created_at: string;
  bundle_id: string | null;
  note: string | null;
}

export function grantView(row: GrantRow): GrantView {
  return {
    id: row.id,
    source: row.source,
    credits: row.credits,
    remaining: row.remaining,
    expires_at: toIso(row.expires_at),
    created_at: toIso(row.created_at),
    bundle_id: row.bundle_id,
    note: row.note,
  };
}

export interface PlanView {
  id: string;
  name: string;
  features: string[];
  credits_per_period: number;
  period: 'month' | 'year';
}

export function planView(plan: Plan): PlanView {
  return {
    id: plan.id,
    name: plan.name,
    features: [...plan.features],
    credits_per_period: plan.creditsPerPeriod,
    period: plan.period,
  };
}
