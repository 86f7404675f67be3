// The `quarry` command: one file per subcommand, each registering itself on the program.
import { Command } from 'commander';
import { ConfigError } from '../lib/config.ts';
import { DatabaseBusyError } from '../store/store_errors.ts';
import { printFailure } from './context.ts';
import { registerServeCommand } from './serve.ts';
import { registerSeedCommand } from './seed.ts';
import { registerImportCommand } from './import.ts';
import { registerAccountsCommand } from './accounts.ts';
import { registerTopUpCommand } from './top_up.ts';
import { registerReconcileCommand } from './reconcile.ts';
import { registerOperatorsCommand } from './operators.ts';

const json = process.argv.includes('--json');

const program = new Command()
  .name('quarry')
  .description('Quarry: a B2B company-data platform metered by one pool of account credits.')
  .addHelpText(
    'after',
    '\nSettings come from the environment (PORT, QUARRY_DATA_DIR, DATABASE_URL, ...); see README.md.',
  );
// A command line commander refuses (an unknown option, a bad value): the usage after the message,
// or with --json the failure as JSON on stdout, like every other failure. Set before the commands
// are registered, which inherit it.
if (json) program.configureOutput({ outputError: (text) => printFailure({ json }, 'invalid_usage', text.replace(/^error: /, '').trim()) });
else program.showHelpAfterError();

registerServeCommand(program);
registerSeedCommand(program);
registerImportCommand(program);
registerAccountsCommand(program);
registerTopUpCommand(program);
registerReconcileCommand(program);
registerOperatorsCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A setting at fault is the user's to fix, a busy database passes: a message, not a stack trace
  // (and with --json, JSON on stdout like every other failure). Anything else is a bug, shown with its stack.
  if (error instanceof ConfigError) printFailure({ json }, 'invalid_configuration', error.message);
  // Another process (a long import) held SQLite's write lock past the wait: try again later.
  else if (error instanceof DatabaseBusyError) printFailure({ json }, 'unavailable', `${error.message}; try again when it is done`);
  else throw error;
}
