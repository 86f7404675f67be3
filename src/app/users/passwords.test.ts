// Proves password hashes are salted, carry their parameters, verify only the right password, and refuse malformed stored hashes.
import { describe, expect, it } from 'vitest';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';

const cost = 10;

describe('password hashes', () => {
  it('verify the right password only, with a fresh salt each time', async () => {
    const first = await hashPassword('correct horse battery', cost);
    const second = await hashPassword('correct horse battery', cost);
    expect(first).toMatch(/^scrypt\$10\$8\$1\$[\w-]+\$[\w-]{43}$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('correct horse battery', first)).toBe(true);
    expect(await verifyPassword('correct horse batterY', first)).toBe(false);
    expect(await verifyPassword('', first)).toBe(false);
  });

  it('match composed and decomposed accents (NFC)', async () => {
    const hash = await hashPassword('caf\u00e9 au lait', cost);
    expect(await verifyPassword('cafe\u0301 au lait', hash)).toBe(true);
  });

  it('refuse malformed or too cheap stored hashes', async () => {
    const hash = await hashPassword('password1', cost);
    for (const broken of ['', 'scrypt', hash.replace('scrypt$10', 'scrypt$2'), hash.replace('scrypt$', 'bcrypt$'), hash.slice(0, -4), 'scrypt$10$8$1$$x']) {
      expect(await verifyPassword('password1', broken), broken).toBe(false);
    }
  });

  it('keep one dummy hash per cost, which no guess matches', async () => {
    expect(await dummyPasswordHash(cost)).toBe(await dummyPasswordHash(cost));
    expect(await verifyPassword('password1', await dummyPasswordHash(cost))).toBe(false);
  });
});
