// `quarry top-up <account> <credits>`: an account manager's top-up from the command line.
import type { Command } from 'commander';
import { z } from 'zod';
import { grantTopUp } from '../app/credits/grant_top_up.ts';
import type { Origin } from '../app/credits/account_transaction.ts';
import { print, printFailure, withApp, type OutputOptions } from './context.ts';

const instantText = z.iso.datetime({ offset: true });

const cliOrigin: Origin = { channel: 'operator', actor: { type: 'operator', id: 'cli' } };

export function registerTopUpCommand(program: Command): void {
  program
    .command('top-up <account-id> <credits>')
    .description('Grant credits to an account (by default they expire at the end of its current billing period).')
    .option('--expires-at <ISO 8601 instant>', 'another expiry, e.g. 2027-06-30T00:00:00Z')
    .option('--note <text>', 'why the credits were granted')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  npx quarry top-up acct_01j... 500 --note "goodwill"')
    .action((accountId: string, creditsText: string, options: OutputOptions & { expiresAt?: string; note?: string }) =>
      withApp(async (context) => {
        // Decimal digits only (Number() would take "0x10" as 16), checked for range by the use case.
        const credits = /^[0-9]+$/.test(creditsText) ? Number(creditsText) : Number.NaN;
        // As the operator API reads it: a date-time with its zone (Date.parse would read one
        // without a zone in this machine's local time, and take "June 1, 2030").
        if (options.expiresAt !== undefined && !instantText.safeParse(options.expiresAt).success) {
          return printFailure(options, 'invalid_request', `--expires-at must be an ISO 8601 date-time with its zone, like 2027-06-30T00:00:00Z: ${options.expiresAt}`);
        }
        const expiresAt = options.expiresAt === undefined ? undefined : Date.parse(options.expiresAt);
        const result = await grantTopUp(context, { accountId, credits, expiresAt, note: options.note, origin: cliOrigin });
        if (!result.ok) return printFailure(options, result.code, result.message);
        print(
          options,
          { grant: result.grant, balance: result.balance },
          `granted ${result.grant.credits} credits (grant ${result.grant.id}, expires ${result.grant.expires_at}); balance ${result.balance}`,
        );
      }),
    );
}
