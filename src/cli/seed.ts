// `quarry seed`: fills the catalog with the deterministic synthetic companies and contacts.
import { InvalidArgumentError, type Command } from 'commander';
import { seedCatalog, seedCompaniesMax, seedSeedDefault } from '../app/catalog/seed_catalog.ts';
import { wallNow } from '../lib/clock.ts';
import { print, withApp, type OutputOptions } from './context.ts';
import { loadStageTexts, startProgress } from './progress.ts';

export const seedCompaniesDefault = 2_000;
/** Seeds are 32-bit, like the generator's hash words. */
const seedMax = 2 ** 32 - 1;

interface SeedCommandOptions extends OutputOptions {
  companies: number;
  seed: number;
}

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('Fill the catalog with synthetic companies and contacts: the same seed always gives the same catalog.')
    .option(
      '--companies <count>',
      `how many companies, each with 1 to 12 contacts (at most ${seedCompaniesMax})`,
      integerOption(1, seedCompaniesMax),
      seedCompaniesDefault,
    )
    .option('--seed <number>', 'the random seed', integerOption(0, seedMax), seedSeedDefault)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Seeding again with the same seed updates the same records (ids cmp_0000001, cnt_0000001_01, …)
in place; a larger --companies adds the companies after them. Subscriptions are never touched.
Companies are written 1,000 at a time. Into a catalog that has records each thousand is its own
transaction, so a server using the same database goes on serving (and charging) during a seed,
and an interrupted seed can be run again. Into an empty catalog the seed sets the indexes (and
on PostgreSQL the foreign keys) aside and builds them again at the end; on SQLite the thousands
are still their own transactions, on PostgreSQL they are all one (a failed seed leaves no row)
and the rebuild runs on two sessions. Large seeds generate on worker threads (one for each core
but one). Progress goes to stderr: a bar on a terminal, a line every 5 s otherwise, then a line
as each step after the writing begins (the indexes, the statistics); nothing with --json.

Examples:
  npx quarry seed
  npx quarry seed --companies 100000 --seed 7
  npx quarry seed --companies 1000000
  DATABASE_URL=postgres://localhost/quarry npx quarry seed --companies 10000 --json`,
    )
    .action((options: SeedCommandOptions) =>
      withApp(async (context) => {
        const startedAt = wallNow();
        const progress = startProgress({ json: options.json, label: 'seeding', unit: 'companies', total: options.companies });
        const result = await seedCatalog(context.store, {
          companies: options.companies,
          seed: options.seed,
          now: context.clock.now(),
          onProgress: (done) => progress.update(done),
          onStage: (stage) => progress.stage(loadStageTexts[stage]),
        });
        progress.stop();
        const seconds = Math.round(wallNow() - startedAt) / 1_000;
        print(
          options,
          { ...result, seed: options.seed, seconds },
          `seeded ${result.companies} companies and ${result.contacts} contacts in ${seconds.toFixed(1)} s (seed ${options.seed})`,
        );
      }),
    );
}

function integerOption(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^[0-9]+$/.test(text) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return value;
  };
}
