// `quarry accounts create|list|show|key`: the operator's account tools on the command line.
import type { Command } from 'commander';
import { createAccount } from '../app/accounts/create_account.ts';
import { getAccount } from '../app/accounts/get_account.ts';
import { createApiKey } from '../app/keys/create_api_key.ts';
import { listAccounts } from '../store/accounts.ts';
import { systemOrigin } from '../app/credits/account_transaction.ts';
import { pageLimitMax } from '../lib/cursor.ts';
import { print, printFailure, withApp, type OutputOptions } from './context.ts';

export function registerAccountsCommand(program: Command): void {
  const accounts = program.command('accounts').description('Create, list and show customer accounts.');

  accounts
    .command('create')
    .description('Open an account on a plan; prints its first API key (shown once).')
    .requiredOption('--name <name>', 'the customer organisation')
    .requiredOption('--plan <plan id>', 'a plan of the catalog: platform, api_standalone, web_visitors (default catalog)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  npx quarry accounts create --name "Acme Ltd" --plan platform')
    .action((options: OutputOptions & { name: string; plan: string }) =>
      withApp(async (context) => {
        const created = await createAccount(context, { name: options.name, planId: options.plan, origin: systemOrigin });
        if (!created.ok) return printFailure(options, created.code, created.message);
        const { ok: _ok, replayed: _replayed, ...value } = created;
        print(options, value, `account ${created.account_id}\nAPI key (shown once): ${created.api_key}`);
      }),
    );

  accounts
    .command('list')
    .description('List accounts (first 500), optionally filtered by name.')
    .option('--query <text>', 'part of the name, or an exact id')
    .option('--json', 'machine-readable output')
    .action((options: OutputOptions & { query?: string }) =>
      withApp(async (context) => {
        const rows = await listAccounts(context.store.db, { limit: pageLimitMax, query: options.query });
        const data = rows.map((row) => ({ id: row.id, name: row.name, plan_id: row.plan_id, balance: row.balance }));
        const text = data.map((row) => `${row.id}  ${row.plan_id.padEnd(16)} ${String(row.balance).padStart(8)}  ${row.name}`);
        print(options, data, text.join('\n') || '(no accounts)');
      }),
    );

  accounts
    .command('show <account-id>')
    .description('Show an account: plan, billing period and credits.')
    .option('--json', 'machine-readable output')
    .action((accountId: string, options: OutputOptions) =>
      withApp(async (context) => {
        const result = await getAccount(context, accountId);
        if (!result.ok) return printFailure(options, result.code, result.message);
        const account = result.account;
        const text = [
          `${account.id}  ${account.name}`,
          `plan     ${account.plan.id} (${account.plan.credits_per_period} credits per ${account.plan.period})`,
          `period   ${account.period.start} → ${account.period.end}`,
          `balance  ${account.credits.balance} (granted ${account.credits.granted}, used ${account.credits.used} this period)`,
          ...account.credits.expiring.map((item) => `expiring ${item.credits} at ${item.expires_at}`),
        ];
        print(options, account, text.join('\n'));
      }),
    );

  accounts
    .command('key <account-id>')
    .description('Issue a new API key for an account (shown once).')
    .option('--name <name>', 'a label for the key')
    .option('--json', 'machine-readable output')
    .action((accountId: string, options: OutputOptions & { name?: string }) =>
      withApp(async (context) => {
        const result = await createApiKey(context, { accountId, name: options.name });
        if (!result.ok) return printFailure(options, result.code, result.message);
        print(options, result.apiKey, `API key (shown once): ${result.apiKey.key}`);
      }),
    );
}
