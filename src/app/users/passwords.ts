// Password hashes: scrypt from node:crypto, with a random salt, and its parameters stored beside
// the hash (`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`), so the cost can rise later without
// breaking the hashes already stored. Verification compares in constant time.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * log2 of scrypt's N. 2^15 with r = 8 takes 32 MiB and, on a small server, about 100 ms: slow
 * for a guesser, bearable for one sign-in. libuv runs at most 4 hashes at once, so a flood of
 * sign-ins holds 128 MiB at most. Tests pass a lower cost (AppContext.passwordCost).
 */
export const passwordCostDefault = 15;
/** Costs accepted in stored hashes: below, a hash is too cheap to trust; above, too costly to check. */
const passwordCostMin = 10;
const passwordCostMax = 20;
const blockSize = 8;
const parallelization = 1;
const saltBytes = 16;
const hashBytes = 32;
/** Password length bounds, in characters: the floor keeps trivial passwords out, the ceiling bounds the work. */
export const passwordCharsMin = 8;
export const passwordCharsMax = 200;

function derive(password: string, salt: Buffer, cost: number, r: number, p: number): Promise<Buffer> {
  // maxmem: scrypt needs 128 * N * r bytes; leave room above it.
  const options: ScryptOptions = { N: 2 ** cost, r, p, maxmem: 256 * 2 ** cost * r + 1024 * 1024 };
  // NFC, so the same password typed on two systems (composed or decomposed accents) matches.
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, hashBytes, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost: number = passwordCostDefault): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, cost, blockSize, parallelization);
  return ['scrypt', cost, blockSize, parallelization, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface StoredHash {
  cost: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): StoredHash | undefined {
  const [scheme, cost, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return undefined;
  const parsed = { cost: Number(cost), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
  const saneCost = Number.isInteger(parsed.cost) && parsed.cost >= passwordCostMin && parsed.cost <= passwordCostMax;
  const saneBlocks = Number.isInteger(parsed.r) && parsed.r >= 1 && parsed.r <= 32 && Number.isInteger(parsed.p) && parsed.p >= 1 && parsed.p <= 4;
  if (!saneCost || !saneBlocks || parsed.key.length !== hashBytes || parsed.salt.length === 0) return undefined;
  return parsed;
}

/** Whether `password` matches `stored`. A malformed stored hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.cost, parsed.r, parsed.p);
  return timingSafeEqual(key, parsed.key);
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * A hash of a random password at `cost`, made once. Sign-in checks an unknown email's password
 * against it, so an unknown email takes as long as a wrong password and the timing tells nothing.
 */
export function dummyPasswordHash(cost: number = passwordCostDefault): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) dummyHashes.set(cost, (hash = hashPassword(randomBytes(24).toString('base64url'), cost)));
  return hash;
}

export function passwordProblem(password: string): string | undefined {
  if (password.length < passwordCharsMin) return `the password must have at least ${passwordCharsMin} characters`;
  if (password.length > passwordCharsMax) return `the password must have at most ${passwordCharsMax} characters`;
  return undefined;
}
