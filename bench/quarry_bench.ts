// The real server under load, on one database: `node bin/quarry.js serve` as a child process,
// a generated catalog imported through the admin API, then two loads on GET /v1/companies/{id}
// and one on POST /collect:
//   - subscribed re-reads: one account re-reads companies it already holds (free reads);
//   - charged first reads: every request is the first read of a company by its account, so
//     every 200 is one charge (1 credit, one subscription); afterwards the charges are counted
//     (balances, ledger entries, reconcile) and must equal the 200s exactly;
//   - page views (collect_bench.ts): POST /collect from the networks of catalog companies; the
//     visits written must add up to the 204s, and cost no credit.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './child_process.ts';
import { measureCollect, type CollectFigures } from './collect_bench.ts';
import { cpuWindow, type CpuUse } from './cpu.ts';
import { loadFigures, runLoad, rotating, type LoadFigures, type NextRequest } from './load.ts';
import {
  balanceOf,
  countCharges,
  createAccount,
  importCompanies,
  reconcile,
  subscribe,
  type BenchAccount,
  type Quarry,
} from './quarry_api.ts';

export interface BenchSettings {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  catalogCompanies: number;
  subscribedCompanies: number;
  /** Accounts sharing the charged-reads load, taken in turn request by request. */
  chargeAccounts: number;
  /** Companies whose networks send the POST /collect load: the first of the catalog, the last of them the check's marker. */
  visitorCompanies: number;
}

/** Credits each bench account gets on top of its plan, far more than any run can spend. */
const accountCredits = 1_000_000;
/** First reads sent to warm the charged path before it is measured. */
const firstReadWarmupRequests = 2_000;

export interface ChargeCheck {
  /** 200 responses of the charged loads (warm-up and measured). */
  responsesOk: number;
  /** Credits the accounts' balances went down by. */
  creditsCharged: number;
  /** `charge` entries in the accounts' ledgers. */
  chargeEntries: number;
  reconcileOk: boolean;
  reconcileDifferences: number;
  ok: boolean;
}

export interface QuarryFigures {
  database: 'sqlite' | 'postgres';
  catalog: { companies: number; bytes: number; seconds: number };
  rereads: LoadFigures & { subscribedCompanies: number; creditsCharged: number };
  firstReads: LoadFigures & { accounts: number; check: ChargeCheck; cutShort: boolean };
  collect: CollectFigures;
  /** VmRSS of the server when it started, after the import, and after each load, in bytes. */
  rssAtStartBytes: number | undefined;
  rssAfterImportBytes: number | undefined;
  rssAfterRereadsBytes: number | undefined;
  rssAfterFirstReadsBytes: number | undefined;
  rssAfterCollectBytes: number | undefined;
}

export interface QuarryBenchOptions {
  database: 'sqlite' | 'postgres';
  /** DATABASE_URL for PostgreSQL; nothing for SQLite (a fresh data directory). */
  databaseUrl?: string;
  /** The postmaster's pid, to account the database's CPU. */
  databasePid?: number;
  settings: BenchSettings;
  log: (line: string) => void;
}

export async function benchQuarry(options: QuarryBenchOptions): Promise<QuarryFigures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'quarry-bench-'));
  // An interrupted bench exits without running `finally`: remove the data directory all the same.
  const removeOnExit = (): void => rmSync(dataDir, { recursive: true, force: true });
  process.on('exit', removeOnExit);
  const adminToken = randomBytes(24).toString('hex');
  const server = await startServer({
    name: `quarry serve (${options.database})`,
    args: () => ['bin/quarry.js', 'serve'],
    env: (port) => ({
      PORT: String(port),
      HOST: '127.0.0.1',
      QUARRY_DATA_DIR: dataDir,
      QUARRY_ADMIN_TOKEN: adminToken,
      QUARRY_DEMO: 'false',
      // The load generator sends thousands of requests a second on one key, and page views from
      // each address far above the limit per client address.
      QUARRY_RATE_LIMIT: '0',
      // POST /collect's client address comes from X-Forwarded-For, as behind a load balancer.
      QUARRY_TRUST_PROXY: 'true',
      QUARRY_LOG_LEVEL: 'warn',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    }),
    healthPath: '/health',
  });
  try {
    const quarry: Quarry = { origin: server.origin, adminToken };
    const measure = (): (() => CpuUse) => cpuWindow({ serverPid: server.pid, databasePid: options.databasePid });
    const { settings, log } = options;
    const rssAtStartBytes = server.rssBytes();

    log(`importing ${settings.catalogCompanies} generated companies`);
    const importStarted = performance.now();
    const catalog = await importCompanies(quarry, settings.catalogCompanies, settings.visitorCompanies);
    const catalogFigures = { companies: catalog.ids.length, bytes: catalog.bytes, seconds: (performance.now() - importStarted) / 1000 };
    const rssAfterImportBytes = server.rssBytes();

    log(`subscribing one account to ${settings.subscribedCompanies} companies`);
    const rereads = await measureRereads(quarry, catalog.ids.slice(0, settings.subscribedCompanies), settings, measure, log);
    const rssAfterRereadsBytes = server.rssBytes();

    log(`creating ${settings.chargeAccounts} accounts for first reads`);
    const firstReads = await measureFirstReads(quarry, catalog.ids, settings, measure, log);
    const rssAfterFirstReadsBytes = server.rssBytes();

    log(`page views: one platform account, one site, visitors from ${settings.visitorCompanies} companies`);
    const collect = await measureCollect({
      quarry,
      companies: catalog.ranges,
      connections: settings.connections,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      measure,
      log,
    });
    const rssAfterCollectBytes = server.rssBytes();
    return {
      database: options.database,
      catalog: catalogFigures,
      rereads,
      firstReads,
      collect,
      rssAtStartBytes,
      rssAfterImportBytes,
      rssAfterRereadsBytes,
      rssAfterFirstReadsBytes,
      rssAfterCollectBytes,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- server output ---\n${server.output()}`, { cause: error });
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    process.off('exit', removeOnExit);
  }
}

async function measureRereads(
  quarry: Quarry,
  companyIds: string[],
  settings: BenchSettings,
  measure: () => () => CpuUse,
  log: (line: string) => void,
): Promise<QuarryFigures['rereads']> {
  const reader = await createAccount(quarry, 'bench reader', accountCredits);
  await subscribe(quarry, reader, companyIds);
  const balanceBefore = await balanceOf(quarry, reader.id);
  const paths = companyIds.map((id) => `/v1/companies/${id}`);
  const headers = { authorization: `Bearer ${reader.apiKey}` };
  log(`subscribed re-reads: warm-up ${settings.warmupSeconds} s, then ${settings.seconds} s`);
  await runLoad({ origin: quarry.origin, connections: settings.connections, durationSeconds: settings.warmupSeconds, next: rotating(paths, headers) });
  const cpu = measure();
  const result = await runLoad({ origin: quarry.origin, connections: settings.connections, durationSeconds: settings.seconds, next: rotating(paths, headers) });
  const figures = loadFigures(result, cpu());
  const creditsCharged = balanceBefore - (await balanceOf(quarry, reader.id));
  return { ...figures, subscribedCompanies: companyIds.length, creditsCharged };
}

async function measureFirstReads(
  quarry: Quarry,
  companyIds: string[],
  settings: BenchSettings,
  measure: () => () => CpuUse,
  log: (line: string) => void,
): Promise<QuarryFigures['firstReads']> {
  const accounts: BenchAccount[] = [];
  for (let index = 0; index < settings.chargeAccounts; index += 1) {
    accounts.push(await createAccount(quarry, `bench buyer ${index + 1}`, accountCredits));
  }
  const balancesBefore = await Promise.all(accounts.map((account) => balanceOf(quarry, account.id)));
  const next = firstReads(accounts, companyIds);
  const capacity = accounts.length * companyIds.length;

  log(`charged first reads: warm-up ${firstReadWarmupRequests} requests`);
  const warmup = await runLoad({
    origin: quarry.origin,
    connections: settings.connections,
    requestsTotal: firstReadWarmupRequests,
    deadlineSeconds: settings.seconds * 4,
    next,
  });
  // A fixed number of requests rather than a duration, so that every request sent is answered
  // and counted: requests cut off at the end of a timed run may still charge.
  const requestsTotal = Math.min(
    capacity - warmup.sent,
    Math.max(settings.connections * 10, Math.round(warmup.requestsPerSecond * settings.seconds)),
  );
  log(`charged first reads: ${requestsTotal} requests (about ${settings.seconds} s at the warm-up's rate)`);
  const cpu = measure();
  const result = await runLoad({
    origin: quarry.origin,
    connections: settings.connections,
    requestsTotal,
    deadlineSeconds: settings.seconds * 4,
    next,
  });
  const figures = loadFigures(result, cpu());

  log('checking the charges against the 200 responses');
  const balancesAfter = await Promise.all(accounts.map((account) => balanceOf(quarry, account.id)));
  const creditsCharged = balancesBefore.reduce((sum, before, index) => sum + before - balancesAfter[index]!, 0);
  let chargeEntries = 0;
  for (let index = 0; index < accounts.length; index += 1) {
    chargeEntries += await countCharges(quarry, accounts[index]!.id, balancesBefore[index]! - balancesAfter[index]! + 10);
  }
  const reconciled = await reconcile(quarry);
  const responsesOk = warmup.ok + result.ok;
  const check: ChargeCheck = {
    responsesOk,
    creditsCharged,
    chargeEntries,
    reconcileOk: reconciled.ok,
    reconcileDifferences: reconciled.differences.length,
    ok:
      reconciled.ok &&
      creditsCharged === responsesOk &&
      chargeEntries === responsesOk &&
      warmup.responses === warmup.sent &&
      result.responses === result.sent,
  };
  return { ...figures, accounts: accounts.length, check, cutShort: result.cutShort || warmup.cutShort };
}

/**
 * Request k reads company ⌊k / accounts⌋ as account k mod accounts: consecutive requests belong
 * to different accounts, and no (account, company) pair is ever read twice. Past the catalog's
 * end it asks for a company that does not exist, which the charge check then reports.
 */
function firstReads(accounts: readonly BenchAccount[], companyIds: readonly string[]): () => NextRequest {
  const headers = accounts.map((account) => ({ authorization: `Bearer ${account.apiKey}` }));
  let sequence = 0;
  return () => {
    const account = sequence % accounts.length;
    const company = Math.floor(sequence / accounts.length);
    sequence += 1;
    const id = companyIds[company] ?? 'bench_catalog_exhausted';
    return { path: `/v1/companies/${id}`, headers: headers[account]! };
  };
}
