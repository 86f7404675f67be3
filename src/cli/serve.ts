// `quarry serve`: migrates, prepares the demo (unless QUARRY_DEMO=false), and serves HTTP.
import { createServer } from 'node:net';
import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig, type Config } from '../lib/config.ts';
import { printFailure } from './context.ts';
import { bootApp } from '../app/boot.ts';
import { resolveAdminToken } from '../app/operator/admin_token.ts';
import { ensureDemo, type DemoState } from '../app/operator/ensure_demo.ts';
import { collectRateLimitDefault } from '../app/visitors/visit_collector.ts';
import { buildServer } from '../http/server.ts';
import { relayBalanceEvents } from '../app/credits/balance_relay.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP server (the customer API on /v1, the operator API on /admin/v1).')
    .option('--no-demo', 'do not seed the demo catalog or create demo accounts (same as QUARRY_DEMO=false)')
    .option('--json', 'print the start-up facts (address, operator token, demo accounts and keys) as one JSON line')
    .addHelpText(
      'after',
      `
Settings (environment): PORT (8080), HOST, QUARRY_DATA_DIR (./data), DATABASE_URL (postgres://…
selects PostgreSQL), QUARRY_DB_POOL_SIZE, QUARRY_ADMIN_TOKEN, QUARRY_CLOCK (system|manual),
QUARRY_DEMO (true|false), QUARRY_PLANS_FILE, QUARRY_LOG_LEVEL, QUARRY_TRUST_PROXY (true|false),
QUARRY_RATE_LIMIT (requests per second per API key for every plan; 0 turns rate limiting off,
sign-ins' included). See README.md for each one's default and meaning.

Logs are JSON lines (pino) on stdout, on stderr with --json (stdout then holds only the start-up
line). A port already in use is a one-line error and exit code 1.

Example:
  PORT=9000 QUARRY_DEMO=false npx quarry serve`,
    )
    .action(async (options: { demo: boolean; json?: boolean }) => {
      const config = loadConfig();
      // Before anything is prepared: demo accounts made now would print their keys only in the
      // banner, which a server that cannot listen never shows.
      const unavailable = await listenFailure(config);
      if (unavailable !== null) return explainListenFailure(unavailable, config, options);
      // With --json, stdout holds the start-up line alone: the logs go to stderr.
      const logger = pino({ level: config.logLevel }, options.json ? pino.destination(2) : undefined);
      const context = await bootApp({ config, logger });
      const admin = resolveAdminToken({ adminToken: config.adminToken, dataDir: config.dataDir });
      const demo = config.demo && options.demo ? await ensureDemo(context, progressPrinter()) : undefined;
      const app = await buildServer(context, {
        adminToken: admin.token,
        trustProxy: config.trustProxy,
        rateLimit: { perSecondOverride: config.rateLimitPerSecond },
        // QUARRY_RATE_LIMIT=0 turns every limit off, sign-ins' included (load tests sign in often).
        signInRateLimit: config.rateLimitPerSecond === 0 ? undefined : {},
        // POST /collect: page views per client address (app/visitors/visit_collector.ts), off with the others.
        collect: { rateLimit: config.rateLimitPerSecond === 0 ? undefined : collectRateLimitDefault },
      });
      // On PostgreSQL, balance changes made by other server processes reach this one's event streams.
      const stopRelay = await relayBalanceEvents(context);
      const address = await listenOrExplain(app, config, options);
      if (address === null) {
        await stopRelay();
        await context.store.close();
        return;
      }
      const facts = { address, database: context.store.dialect, admin, demo, clock: config.clock };
      if (options.json) process.stdout.write(`${JSON.stringify(bannerJson(facts))}\n`);
      else printBanner(facts);
      const shutdown = async () => {
        await app.close();
        await stopRelay();
        await context.store.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
    });
}

/** The server's address, or null after printing why it cannot listen (another process took the port meanwhile). */
async function listenOrExplain(app: Awaited<ReturnType<typeof buildServer>>, config: Config, options: { json?: boolean }): Promise<string | null> {
  try {
    return await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    explainListenFailure(error, config, options);
    await app.close();
    return null;
  }
}

/** Why PORT and HOST cannot be listened on now (a trial listen, closed at once), or null. */
async function listenFailure(config: Config): Promise<unknown> {
  const trial = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      trial.once('error', reject);
      trial.listen(config.port, config.host, resolve);
    });
    return null;
  } catch (error) {
    return error;
  } finally {
    trial.close();
  }
}

/** A failure to listen that a setting fixes, as a one-line message (JSON with --json); anything else is thrown. */
function explainListenFailure(error: unknown, config: Config, options: { json?: boolean }): void {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') printFailure(options, 'address_in_use', `${where} is already in use by another process: stop it, or set PORT to another port`);
  else if (code === 'EACCES') printFailure(options, 'invalid_configuration', `${where} may not be taken by this user: set PORT above 1023`);
  else if (code === 'EADDRNOTAVAIL') printFailure(options, 'invalid_configuration', `HOST ${config.host} is not an address of this machine`);
  else throw error;
}

function progressPrinter(): (done: number, total: number) => void {
  let lastPercent = -1;
  return (done, total) => {
    const percent = Math.floor((done / total) * 100);
    if (percent !== lastPercent && percent % 25 === 0) process.stderr.write(`seeding the demo catalog: ${percent}%\n`);
    lastPercent = percent;
  };
}

interface StartFacts {
  address: string;
  database: string;
  admin: ReturnType<typeof resolveAdminToken>;
  demo: DemoState | undefined;
  clock: string;
}

function bannerJson(facts: StartFacts): Record<string, unknown> {
  return {
    address: facts.address,
    database: facts.database,
    clock: facts.clock,
    admin_token: facts.admin.source === 'environment' ? null : facts.admin.token,
    demo: facts.demo ?? null,
  };
}

function printBanner(facts: StartFacts): void {
  const lines = [
    '',
    `Quarry is running at ${facts.address.replace('0.0.0.0', 'localhost')} (database: ${facts.database}, clock: ${facts.clock})`,
    '',
    facts.admin.source === 'environment'
      ? 'Operator token: from QUARRY_ADMIN_TOKEN'
      : `Operator token: ${facts.admin.token}   (kept in ${facts.admin.path})`,
  ];
  if (facts.demo) {
    if (facts.demo.seededCompanies > 0) lines.push(`Demo catalog: seeded ${facts.demo.seededCompanies} companies`);
    lines.push('', 'Demo accounts:');
    for (const account of facts.demo.accounts) {
      lines.push(`  ${account.plan_id.padEnd(16)} ${account.account_id}  ${account.api_key ? `API key: ${account.api_key}` : ''}`);
    }
    if (facts.demo.accounts.some((account) => !account.api_key)) {
      lines.push('', '  API keys are shown once, at first start. A new one: npx quarry accounts key <account id>');
    }
    lines.push('', 'Demo users (sign in with POST /v1/session, or the web app):');
    for (const user of facts.demo.users) {
      lines.push(`  ${(user.plan_id ?? user.role).padEnd(16)} ${user.email.padEnd(36)} password: ${user.password}`);
    }
    lines.push('', `Try: curl -H "Authorization: Bearer <API key>" ${facts.address.replace('0.0.0.0', 'localhost')}/v1/account`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
