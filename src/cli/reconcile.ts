// `quarry reconcile`: checks every account's ledger; exits 1 when it finds a difference.
import type { Command } from 'commander';
import { reconcile } from '../app/operator/reconcile.ts';
import { print, withApp, type OutputOptions } from './context.ts';

export function registerReconcileCommand(program: Command): void {
  program
    .command('reconcile')
    .description('Check that every balance equals its ledger, every grant its allocations, every charge its subscription.')
    .option('--json', 'machine-readable output')
    .action((options: OutputOptions) =>
      withApp(async (context) => {
        const report = await reconcile(context);
        const lines = [
          `${report.accounts_checked} account(s) checked: ${report.ok ? 'no differences' : `${report.differences.length} difference(s)`}`,
          ...report.differences.map((difference) => `  ${difference.account_id} ${difference.check}: ${difference.message}`),
        ];
        print(options, report, lines.join('\n'));
        if (!report.ok) process.exitCode = 1;
      }),
    );
}
