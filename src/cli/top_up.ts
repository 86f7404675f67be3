// `quarry top-up <account> <credits>`: an account manager's top-up from the command line.
import type { Command } from 'commander';
import { grantTopUp } from '../app/credits/grant_top_up.ts';
import type { Origin } from '../app/credits/account_transaction.ts';
import { print, printFailure, withApp, type OutputOptions } from './context.ts';

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
        const credits = Number(creditsText);
        const expiresAt = options.expiresAt === undefined ? undefined : Date.parse(options.expiresAt);
        if (expiresAt !== undefined && Number.isNaN(expiresAt)) {
          return printFailure(options, 'invalid_request', `--expires-at is not a date: ${options.expiresAt}`);
        }
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
