// API key secrets: random, shown once, stored only as a hash. SHA-256 suffices (rather than a
// slow password hash) because the secret carries 256 random bits: there is nothing to guess.
import { createHash } from 'node:crypto';
import { newSecret } from '../../lib/ids.ts';

export const apiKeyPrefix = 'qry';
/** Characters of the secret kept in clear, to tell keys apart in lists. */
export const apiKeyDisplayChars = 12;

export function newApiKeySecret(): string {
  return newSecret(apiKeyPrefix);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
