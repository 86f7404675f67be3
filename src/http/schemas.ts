// Request pieces shared by many endpoints.
import { z } from 'zod';
import { pageLimitDefault, pageLimitMax } from '../lib/cursor.ts';
import { queryWordsMax, searchWords } from '../domain/search/text.ts';
import { emailCharsMax } from '../app/users/emails.ts';
import { passwordCharsMax, passwordCharsMin } from '../app/users/passwords.ts';

/** Record and account ids: non-empty, bounded, no control characters. */
export const idCharsMax = 128;
export const idSchema = z
  .string()
  .min(1)
  .max(idCharsMax)
  .regex(/^[\x21-\x7e]+$/, 'printable characters without spaces');

export const idParams = z.object({ id: idSchema });

/** Free text (names, notes, reasons): trimmed, bounded, and without NUL, which PostgreSQL refuses. */
export function textSchema(charsMax: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(charsMax)
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
}

/**
 * Search words (`q`, `title`, `query`): free text that must hold at least one word (letters or
 * digits) and at most queryWordsMax distinct ones. Text without a word ("***", "%") would
 * otherwise filter nothing and list the whole catalog; words past the bound were dropped, which
 * widened the search instead of narrowing it.
 */
export function searchTextSchema(charsMax: number) {
  return textSchema(charsMax).superRefine((value, context) => {
    const distinctWords = new Set(searchWords(value)).size;
    if (distinctWords === 0) context.addIssue({ code: 'custom', message: 'must contain a word: letters or digits' });
    else if (distinctWords > queryWordsMax) context.addIssue({ code: 'custom', message: `must have at most ${queryWordsMax} distinct words` });
  });
}

/** `?limit=` in a query string, where every value is text. */
export const limitSchema = z.coerce.number().int().min(1).max(pageLimitMax).default(pageLimitDefault);
/** `limit` in a JSON body: a number, not text or a boolean that coercion would read as one. */
export const bodyLimitSchema = z.number().int().min(1).max(pageLimitMax).default(pageLimitDefault);
export const cursorSchema = z.string().min(1).max(500).optional();

/** An ISO 8601 instant with a zone, read as milliseconds since the epoch. */
export const instantSchema = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

export const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    request_id: z.string(),
    field: z.string().optional(),
  }),
});

export const listResponse = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export const subscriptionSchema = z.object({
  id: z.string(),
  record_type: z.enum(['company', 'contact']),
  record_id: z.string(),
  source: z.enum(['credit', 'web_visit', 'grant']),
  started_at: z.string(),
  expires_at: z.string(),
  ended_at: z.string().nullable(),
});

export const ledgerEntrySchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  at: z.string(),
  kind: z.enum(['grant', 'charge', 'expire', 'refund', 'adjust']),
  credits: z.number().int(),
  balance_after: z.number().int(),
  grant_id: z.string().nullable(),
  record: z.object({ type: z.enum(['company', 'contact']), id: z.string() }).nullable(),
  subscription_id: z.string().nullable(),
  channel: z.enum(['api', 'web', 'visit', 'operator', 'system']),
  actor: z.object({ type: z.enum(['api_key', 'user', 'operator', 'system']), id: z.string().nullable() }),
  note: z.string().nullable(),
});

export const grantSchema = z.object({
  id: z.string(),
  source: z.enum(['allowance', 'top_up', 'adjustment', 'refund']),
  credits: z.number().int(),
  remaining: z.number().int(),
  expires_at: z.string(),
  created_at: z.string(),
  bundle_id: z.string().nullable(),
  note: z.string().nullable(),
});

export const accountSchema = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  plan: z.object({
    id: z.string(),
    name: z.string(),
    features: z.array(z.string()),
    credits_per_period: z.number().int(),
    period: z.enum(['month', 'year']),
  }),
  period: z.object({ start: z.string(), end: z.string() }),
  credits: z.object({
    balance: z.number().int(),
    granted: z.number().int(),
    used: z.number().int(),
    expiring: z.array(z.object({ credits: z.number().int(), expires_at: z.string() })),
  }),
});

/**
 * An email address; stored trimmed and lowercase, so sign-in ignores case. Surrounding spaces
 * (pasted with the address) are dropped before the address is checked, not refused.
 */
export const emailSchema = z.string().trim().max(emailCharsMax).pipe(z.email()).describe('an email address (surrounding spaces are ignored)');
/** A new password: bounded both ways (passwords.ts says why). */
export const newPasswordSchema = z.string().min(passwordCharsMin).max(passwordCharsMax);

export const userSchema = z.object({
  id: z.string(),
  account_id: z.string(),
  email: z.string(),
  role: z.enum(['owner', 'member']),
  created_at: z.string(),
});

/** A new API key: the secret `key` is in this response only. */
export const apiKeySchema = z.object({
  id: z.string(),
  account_id: z.string(),
  name: z.string().nullable(),
  key: z.string().nullable().describe('the secret, shown in the first response only: null when an Idempotency-Key replays the creation (only a hash of the secret is kept)'),
  prefix: z.string(),
  created_at: z.string(),
});
