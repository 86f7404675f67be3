// Credit grants and the burn-down order (DESIGN.md rule 9).

export type GrantSource = 'allowance' | 'top_up' | 'adjustment' | 'refund';

/** What the rules need to know of a grant. */
export interface GrantState {
  id: string;
  source: GrantSource;
  /** Credits left in the grant. */
  remaining: number;
  expiresAt: number;
  /** The ledger sequence number of the entry that created the grant: older grants are lower. */
  createdSeq: number;
}

export interface Allocation {
  grantId: string;
  /** Signed: negative when credits are taken from the grant. */
  credits: number;
}

/**
 * Burn-down order: the grant that expires soonest first; on a tie the period allowance before
 * other grants; then the oldest grant.
 */
export function compareBurnDown(a: GrantState, b: GrantState): number {
  if (a.expiresAt !== b.expiresAt) return a.expiresAt - b.expiresAt;
  const aAllowance = a.source === 'allowance' ? 0 : 1;
  const bAllowance = b.source === 'allowance' ? 0 : 1;
  if (aAllowance !== bAllowance) return aAllowance - bAllowance;
  return a.createdSeq - b.createdSeq;
}

/** Grants that can pay at `now`: not expired (expiry is exclusive) and not empty. */
export function spendableGrants(grants: readonly GrantState[], now: number): GrantState[] {
  return grants.filter((grant) => grant.remaining > 0 && grant.expiresAt > now).sort(compareBurnDown);
}

export function spendableBalance(grants: readonly GrantState[], now: number): number {
  return spendableGrants(grants, now).reduce((sum, grant) => sum + grant.remaining, 0);
}

/**
 * Takes `credits` from the grants in burn-down order. Returns the allocations (negative), or
 * null when the grants cannot pay all of it: a charge is paid whole or not at all (rule 5).
 */
export function planDraw(grants: readonly GrantState[], credits: number, now: number): Allocation[] | null {
  let owed = credits;
  const allocations: Allocation[] = [];
  for (const grant of spendableGrants(grants, now)) {
    if (owed === 0) break;
    const taken = Math.min(grant.remaining, owed);
    allocations.push({ grantId: grant.id, credits: -taken });
    owed -= taken;
  }
  return owed === 0 ? allocations : null;
}

/** Applies allocations to grant states, returning new states (the inputs are not changed). */
export function applyAllocations(grants: readonly GrantState[], allocations: readonly Allocation[]): GrantState[] {
  const byGrant = new Map(allocations.map((allocation) => [allocation.grantId, allocation.credits]));
  return grants.map((grant) => {
    const change = byGrant.get(grant.id);
    return change === undefined ? grant : { ...grant, remaining: grant.remaining + change };
  });
}
