// `quarry operators create|list`: the vendor's people who sign in to the operator console (and
// use /admin/v1 with their session). The first operator is made here; there is no HTTP endpoint
// that creates operators, so the operator API cannot mint its own users.
import type { Command } from 'commander';
import { createOperatorUser } from '../app/users/create_operator_user.ts';
import { listOperatorUsers } from '../app/users/list_operator_users.ts';
import { print, printFailure, withApp, type OutputOptions } from './context.ts';

export function registerOperatorsCommand(program: Command): void {
  const operators = program.command('operators').description('Create and list operator users (sign-in to the operator console).');

  operators
    .command('create')
    .description('Create an operator user, who signs in with this email and password (POST /v1/session).')
    .requiredOption('--email <email>', 'the email to sign in with (unique across all users)')
    .requiredOption('--password <password>', 'at least 8 characters; quote it, and prefer a fresh terminal history')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  npx quarry operators create --email ops@vendor.example --password "a long passphrase"')
    .action((options: OutputOptions & { email: string; password: string }) =>
      withApp(async (context) => {
        const created = await createOperatorUser(context, { email: options.email, password: options.password });
        if (!created.ok) return printFailure(options, created.code, created.message);
        print(options, created.operator, `operator ${created.operator.id} (${created.operator.email}) can now sign in`);
      }),
    );

  operators
    .command('list')
    .description('List operator users (first 500).')
    .option('--json', 'machine-readable output')
    .action((options: OutputOptions) =>
      withApp(async (context) => {
        const data = await listOperatorUsers(context);
        print(options, data, data.map((operator) => `${operator.id}  ${operator.email}  since ${operator.created_at}`).join('\n') || '(no operators)');
      }),
    );
}
