// Ledger truth (DESIGN.md rule 12), checked from the stored facts of one account: the balance
// equals the sum of the ledger; each entry's balance_after is the running sum; each entry equals
// its allocations; each grant's remainder equals its amount less what was taken and expired;
// every charge has its subscription and every paid subscription its charge; no record has two
// subscriptions active at once. Pure: returns the differences it finds.

export interface ReconcileFacts {
  account: { id: string; balance: number; ledgerSeq: number };
  entries: Array<{ seq: number; at: number; kind: string; credits: number; balanceAfter: number; subscriptionId: string | null; recordType: string | null; recordId: string | null }>;
  allocations: Array<{ entrySeq: number; grantId: string; credits: number }>;
  grants: Array<{ id: string; credits: number; remaining: number; createdSeq: number }>;
  subscriptions: Array<{ id: string; recordType: string; recordId: string; generation: number; source: string; startedAt: number; expiresAt: number; endedAt: number | null; chargeSeq: number | null; refundSeq: number | null }>;
}

export interface Difference {
  account_id: string;
  check: string;
  message: string;
}

export function reconcileAccount(facts: ReconcileFacts): Difference[] {
  const differences: Difference[] = [];
  const report = (check: string, message: string) => differences.push({ account_id: facts.account.id, check, message });
  checkLedgerChain(facts, report);
  checkAllocations(facts, report);
  checkGrants(facts, report);
  checkSubscriptions(facts, report);
  return differences;
}

type Report = (check: string, message: string) => void;

function checkLedgerChain(facts: ReconcileFacts, report: Report): void {
  let running = 0;
  let previousAt = -Infinity;
  facts.entries.forEach((entry, index) => {
    if (entry.seq !== index + 1) report('ledger_sequence', `entry ${index + 1} has sequence ${entry.seq}`);
    running += entry.credits;
    if (entry.balanceAfter !== running) {
      report('balance_after', `entry ${entry.seq}: balance_after ${entry.balanceAfter}, ledger sum ${running}`);
    }
    if (entry.at < previousAt) report('ledger_time', `entry ${entry.seq} is dated before the entry before it`);
    previousAt = entry.at;
  });
  if (running !== facts.account.balance) {
    report('balance', `stored balance ${facts.account.balance}, ledger sum ${running}`);
  }
  if (facts.entries.length !== facts.account.ledgerSeq) {
    report('ledger_sequence', `account sequence ${facts.account.ledgerSeq}, ${facts.entries.length} entries`);
  }
}

function checkAllocations(facts: ReconcileFacts, report: Report): void {
  const sums = new Map<number, number>();
  for (const allocation of facts.allocations) {
    sums.set(allocation.entrySeq, (sums.get(allocation.entrySeq) ?? 0) + allocation.credits);
  }
  for (const entry of facts.entries) {
    const allocated = sums.get(entry.seq) ?? 0;
    if (allocated !== entry.credits) {
      report('allocations', `entry ${entry.seq} moves ${entry.credits} credits, its allocations ${allocated}`);
    }
  }
}

function checkGrants(facts: ReconcileFacts, report: Report): void {
  const sums = new Map<string, number>();
  for (const allocation of facts.allocations) {
    sums.set(allocation.grantId, (sums.get(allocation.grantId) ?? 0) + allocation.credits);
  }
  let remainingTotal = 0;
  for (const grant of facts.grants) {
    remainingTotal += grant.remaining;
    const fromLedger = sums.get(grant.id) ?? 0;
    if (fromLedger !== grant.remaining) {
      report('grant_remaining', `grant ${grant.id}: remaining ${grant.remaining}, ledger says ${fromLedger}`);
    }
    if (grant.remaining < 0 || grant.remaining > grant.credits) {
      report('grant_bounds', `grant ${grant.id}: remaining ${grant.remaining} of ${grant.credits}`);
    }
  }
  if (remainingTotal !== facts.account.balance) {
    report('grants_total', `grants hold ${remainingTotal} credits, balance is ${facts.account.balance}`);
  }
}

function checkSubscriptions(facts: ReconcileFacts, report: Report): void {
  const bySeq = new Map(facts.entries.map((entry) => [entry.seq, entry]));
  const chargeSeqs = new Set<number>();
  for (const subscription of facts.subscriptions) {
    if (subscription.source === 'credit') {
      const charge = subscription.chargeSeq === null ? undefined : bySeq.get(subscription.chargeSeq);
      if (!charge || charge.kind !== 'charge' || charge.subscriptionId !== subscription.id) {
        report('paid_subscription', `subscription ${subscription.id} has no charge`);
      } else {
        chargeSeqs.add(charge.seq);
      }
    }
    if (subscription.refundSeq !== null) {
      const refund = bySeq.get(subscription.refundSeq);
      if (!refund || refund.kind !== 'refund' || refund.subscriptionId !== subscription.id) {
        report('refund', `subscription ${subscription.id} is marked refunded without its refund entry`);
      }
    }
  }
  for (const entry of facts.entries) {
    if (entry.kind === 'charge' && !chargeSeqs.has(entry.seq)) {
      report('charge', `charge ${entry.seq} (${entry.recordType} ${entry.recordId}) has no subscription`);
    }
  }
  checkNoOverlap(facts, report);
}

function checkNoOverlap(facts: ReconcileFacts, report: Report): void {
  const byRecord = new Map<string, ReconcileFacts['subscriptions']>();
  for (const subscription of facts.subscriptions) {
    const key = `${subscription.recordType}:${subscription.recordId}`;
    byRecord.set(key, [...(byRecord.get(key) ?? []), subscription]);
  }
  for (const [record, subscriptions] of byRecord) {
    const ordered = [...subscriptions].sort((a, b) => a.generation - b.generation);
    for (let index = 1; index < ordered.length; index += 1) {
      const previous = ordered[index - 1]!;
      const current = ordered[index]!;
      const previousEnd = Math.min(previous.expiresAt, previous.endedAt ?? Infinity);
      if (current.startedAt < previousEnd) {
        report('overlap', `${record}: subscription ${current.id} starts while ${previous.id} is active`);
      }
    }
  }
}
