// Configuration is one schema, parsed once at start into a frozen object (STYLE.md rule 9).
// This is the only module that reads `process.env`; a bad value fails at start with its name.
import { z } from 'zod';

const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A whole number written in decimal digits (no sign, hex, exponent or blank, which Number() would take). */
function wholeNumberText() {
  return z
    .string()
    .trim()
    .regex(/^[0-9]+$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int());
}

/** A number written in decimal (digits, an optional fraction). */
const decimalText = z
  .string()
  .trim()
  .regex(/^[0-9]+(\.[0-9]+)?$/, 'must be a decimal number, like 10 or 0.5')
  .transform(Number);

const configSchema = z.object({
  PORT: wholeNumberText().pipe(z.number().max(65535)).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  QUARRY_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    // Blank has always meant unset here: SQLite.
    .or(z.string().trim().length(0).transform(() => undefined)),
  QUARRY_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  QUARRY_TRUST_PROXY: booleanText.default(false),
  QUARRY_CLOCK: z.enum(['system', 'manual']).default('system'),
  QUARRY_DEMO: booleanText.default(true),
  QUARRY_RATE_LIMIT: decimalText.optional(),
  QUARRY_PLANS_FILE: z.string().min(1).optional(),
  QUARRY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  QUARRY_DB_POOL_SIZE: wholeNumberText().pipe(z.number().min(1).max(200)).default(10),
});

export type Config = Readonly<{
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  trustProxy: boolean;
  clock: 'system' | 'manual';
  demo: boolean;
  rateLimitPerSecond: number | undefined;
  plansFile: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  databasePoolSize: number;
}>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment (by default `process.env`) into the frozen configuration. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // A variable set to nothing (`PORT=`, or a template whose value came out empty) is refused
  // rather than guessed at: read as a number it was 0 (a random port, rate limiting off), and read
  // as unset it would quietly bring back the demo accounts or the default plans. DATABASE_URL
  // alone has always read blank as unset (SQLite).
  const blank = Object.entries(env).filter(([name, value]) => name in configSchema.shape && name !== 'DATABASE_URL' && value !== undefined && value.trim() === '');
  if (blank.length > 0) {
    throw new ConfigError(`invalid configuration: ${blank.map(([name]) => `${name}: is set but empty (unset it, or give it a value)`).join('; ')}`);
  }
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const value = parsed.data;
  return Object.freeze({
    port: value.PORT,
    host: value.HOST,
    dataDir: value.QUARRY_DATA_DIR,
    databaseUrl: value.DATABASE_URL,
    adminToken: value.QUARRY_ADMIN_TOKEN,
    trustProxy: value.QUARRY_TRUST_PROXY,
    clock: value.QUARRY_CLOCK,
    demo: value.QUARRY_DEMO,
    rateLimitPerSecond: value.QUARRY_RATE_LIMIT,
    plansFile: value.QUARRY_PLANS_FILE,
    logLevel: value.QUARRY_LOG_LEVEL,
    databasePoolSize: value.QUARRY_DB_POOL_SIZE,
  });
}
