// Prefixed, time-sortable identifiers (STYLE.md rule 7): `<prefix>_<26 chars of ULID>`.
// The time part comes from wall time, not the test clock, so ids stay unique and ordered even
// when the manual clock jumps.
import { monotonicFactory } from 'ulidx';
import { randomBytes, randomFillSync } from 'node:crypto';
import { wallNow } from './clock.ts';

/**
 * Cryptographic randomness for ids, drawn from a pool refilled 4 KiB at a time: a system call
 * per id character was a measurable share of every request.
 */
const randomPool = new Uint32Array(1024);
let randomPoolIndex = randomPool.length;

function pooledRandom(): number {
  if (randomPoolIndex === randomPool.length) {
    randomFillSync(randomPool);
    randomPoolIndex = 0;
  }
  return randomPool[randomPoolIndex++]! / 0x1_0000_0000;
}

const ulid = monotonicFactory(pooledRandom);

export const idPrefixes = {
  account: 'acct',
  apiKey: 'key',
  grant: 'grant',
  ledgerEntry: 'led',
  subscription: 'sub',
  request: 'req',
  user: 'usr',
  operator: 'opr',
  site: 'site',
} as const;

export type IdKind = keyof typeof idPrefixes;

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${ulid(wallNow()).toLowerCase()}`;
}

/** A secret token: a readable prefix and 32 random bytes in base64url. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
