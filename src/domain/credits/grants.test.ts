// Proves the burn-down order (rule 9) and that a draw is paid whole or not at all (rule 5).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planDraw, spendableBalance, type GrantState } from './grants.ts';

const grant = (overrides: Partial<GrantState> & { id: string }): GrantState => ({
  source: 'top_up',
  remaining: 10,
  expiresAt: 1_000,
  createdSeq: 1,
  ...overrides,
});

describe('planDraw', () => {
  it('takes from the grant that expires soonest', () => {
    const grants = [grant({ id: 'late', expiresAt: 2_000 }), grant({ id: 'soon', expiresAt: 1_500 })];
    expect(planDraw(grants, 1, 0)).toEqual([{ grantId: 'soon', credits: -1 }]);
  });

  it('on an expiry tie takes the allowance before a top-up, then the oldest grant', () => {
    const grants = [
      grant({ id: 'topup-old', createdSeq: 1 }),
      grant({ id: 'allowance', source: 'allowance', createdSeq: 5 }),
      grant({ id: 'topup-new', createdSeq: 3 }),
    ];
    expect(planDraw(grants, 1, 0)).toEqual([{ grantId: 'allowance', credits: -1 }]);
    const withoutAllowance = grants.filter((g) => g.id !== 'allowance');
    expect(planDraw(withoutAllowance, 1, 0)).toEqual([{ grantId: 'topup-old', credits: -1 }]);
  });

  it('skips expired and empty grants, and spans grants when one is not enough', () => {
    const grants = [
      grant({ id: 'expired', expiresAt: 100, remaining: 50 }),
      grant({ id: 'empty', expiresAt: 300, remaining: 0 }),
      grant({ id: 'a', expiresAt: 400, remaining: 2 }),
      grant({ id: 'b', expiresAt: 500, remaining: 5 }),
    ];
    expect(planDraw(grants, 4, 100)).toEqual([
      { grantId: 'a', credits: -2 },
      { grantId: 'b', credits: -2 },
    ]);
  });

  it('refuses the whole draw when the pool cannot pay', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 20 }), { maxLength: 6 }), fc.integer({ min: 1, max: 150 }), (remainders, credits) => {
        const grants = remainders.map((remaining, index) => grant({ id: `g${index}`, remaining, expiresAt: 1_000 + index }));
        const plan = planDraw(grants, credits, 0);
        const balance = spendableBalance(grants, 0);
        if (credits > balance) expect(plan).toBeNull();
        else expect(plan!.reduce((sum, allocation) => sum - allocation.credits, 0)).toBe(credits);
      }),
    );
  });
});
