// Proves, through the real `quarry` command, that a setting at fault, a command line it cannot
// parse and a port in use are reported as a message (JSON with --json) and exit code 1, never a
// stack trace; that serve --json keeps stdout to its start-up line; that an import's report
// counts its invalid lines beyond those it lists; that the commands keep the operator
// API's bounds on what they write; and that a command boots while
// another process (an import) holds SQLite's write lock: booting only reads what is unchanged.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sqliteFileDefault } from '../store/database.ts';

const quarryBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'quarry.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function quarry(args: string[], env: Record<string, string>): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [quarryBin, ...args], {
      env: { PATH: process.env['PATH'] ?? '', QUARRY_LOG_LEVEL: 'error', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the quarry command', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'quarry-cli-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports a bad setting as a message and exit code 1, as JSON with --json', async () => {
    const text = await quarry(['reconcile'], { QUARRY_DATA_DIR: dataDir, PORT: '0x10' });
    expect(text.code).toBe(1);
    expect(text.stderr.trim()).toBe('error: invalid configuration: PORT: must be a whole number in decimal digits');
    const json = await quarry(['reconcile', '--json'], { QUARRY_DATA_DIR: dataDir, QUARRY_ADMIN_TOKEN: 'short' });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'invalid_configuration', message: expect.stringContaining('QUARRY_ADMIN_TOKEN') } });
    expect(json.stderr).not.toContain('    at ');
  });

  it('reports a plan catalog file that is missing or invalid by its name', async () => {
    const missing = await quarry(['reconcile'], { QUARRY_DATA_DIR: dataDir, QUARRY_PLANS_FILE: join(dataDir, 'missing.json') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: QUARRY_PLANS_FILE: cannot read the plan catalog .*missing\.json/);
    const file = join(dataDir, 'fractional.json');
    const plan = { id: 'slow', name: 'Slow', features: ['api_basic'], credits_per_period: 10, period: 'month', rate_limit_per_second: 0.5 };
    await writeFile(file, JSON.stringify({ plans: [plan] }));
    const invalid = await quarry(['reconcile'], { QUARRY_DATA_DIR: dataDir, QUARRY_PLANS_FILE: file });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('plans.0.rate_limit_per_second: must be a whole number of requests per second');
  });

  it('keeps the operator API\'s bounds on the command line: refused input writes nothing', async () => {
    const env = { QUARRY_DATA_DIR: dataDir, QUARRY_DEMO: 'false' };
    expect((await quarry(['accounts', 'create', '--name', '  ', '--plan', 'platform'], env)).stderr.trim()).toBe('error: name must not be empty');
    expect((await quarry(['accounts', 'create', '--name', 'x'.repeat(201), '--plan', 'platform'], env)).stderr.trim()).toBe('error: name must be at most 200 characters');
    const created = await quarry(['accounts', 'create', '--name', ' Bounds Ltd ', '--plan', 'platform', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const accountId = (JSON.parse(created.stdout) as { account_id: string }).account_id;
    const refusals: Array<[string[], string]> = [
      [['top-up', accountId, '0x10'], 'credits must be a whole number from 1 to'],
      [['top-up', accountId, '1e3'], 'credits must be a whole number from 1 to'],
      [['top-up', accountId, '5', '--expires-at', '2030-01-01T00:00:00'], '--expires-at must be an ISO 8601 date-time with its zone'],
      [['top-up', accountId, '5', '--expires-at', 'June 1, 2030'], '--expires-at must be an ISO 8601 date-time with its zone'],
      [['top-up', accountId, '5', '--note', 'x'.repeat(501)], 'note must be at most 500 characters'],
      [['top-up', accountId, '5', '--note', ''], 'note must not be empty'],
      [['accounts', 'key', accountId, '--name', 'x'.repeat(101)], 'name must be at most 100 characters'],
    ];
    for (const [args, message] of refusals) {
      const run = await quarry(args, env);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toContain(message);
    }
    const shown = await quarry(['accounts', 'show', accountId, '--json'], env);
    const account = JSON.parse(shown.stdout) as { name: string; credits: { balance: number } };
    expect(account).toMatchObject({ name: 'Bounds Ltd', credits: { balance: 1000 } });
  });

  it('answers a command line it cannot parse with the usage, or as JSON with --json', async () => {
    const text = await quarry(['seed', '--companies', 'abc'], { QUARRY_DATA_DIR: dataDir });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("error: option '--companies <count>' argument 'abc' is invalid");
    expect(text.stderr).toContain('Usage: quarry seed');
    for (const args of [['seed', '--companies', 'abc', '--json'], ['top-up', '--json'], ['import', 'x.ndjson', '--type', 'people', '--json']]) {
      const json = await quarry(args, { QUARRY_DATA_DIR: dataDir });
      expect(json.code, args.join(' ')).toBe(1);
      expect(JSON.parse(json.stdout), args.join(' ')).toEqual({ error: { code: 'invalid_usage', message: expect.any(String) } });
      expect(json.stderr, args.join(' ')).toBe('');
    }
  });

  it('lists the first problems of an import with many invalid lines, and counts the lines and the rest', async () => {
    // Two problems a line: 600 lines make 1,200 problems, 200 beyond the 1,000 listed.
    const file = join(dataDir, 'invalid.ndjson');
    await writeFile(file, Array.from({ length: 600 }, (_, index) => JSON.stringify({ id: `cmp_bad_${index}`, name: 5, employees: 'many' })).join('\n'));
    const env = { QUARRY_DATA_DIR: dataDir, QUARRY_DEMO: 'false' };
    const json = await quarry(['import', file, '--type', 'companies', '--json'], env);
    expect(json.code).toBe(1);
    const error = (JSON.parse(json.stdout) as { error: { message: string; lines: unknown[]; invalid_lines: number; omitted: number } }).error;
    expect(error).toMatchObject({ invalid_lines: 600, omitted: 200 });
    expect(error.lines).toHaveLength(1_000);
    expect(error.message).toBe('600 invalid line(s) (the first 1000 problems listed, 200 more not listed); nothing was imported');
    const text = await quarry(['import', file, '--type', 'companies'], env);
    expect(text.code).toBe(1);
    expect(text.stderr.trim().split('\n').at(-1)).toBe(`error: ${error.message}`);
  });

  it('serves with --json on one line of stdout (logs on stderr), and refuses a port in use in one line', async () => {
    const env = { QUARRY_DATA_DIR: dataDir, QUARRY_DEMO: 'false', HOST: '127.0.0.1', QUARRY_LOG_LEVEL: 'info' };
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as AddressInfo).port);
    try {
      const text = await quarry(['serve'], { ...env, PORT: port });
      expect(text.code).toBe(1);
      expect(text.stderr.trim()).toBe(`error: 127.0.0.1:${port} is already in use by another process: stop it, or set PORT to another port`);
      const json = await quarry(['serve', '--json'], { ...env, PORT: port });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'address_in_use' } });
      // Refused before the demo is prepared: no demo account was made whose key nobody saw.
      const demoDir = await mkdtemp(join(tmpdir(), 'quarry-cli-demo-'));
      try {
        const demo = await quarry(['serve'], { ...env, QUARRY_DATA_DIR: demoDir, QUARRY_DEMO: 'true', PORT: port });
        expect(demo.code).toBe(1);
        const accounts = await quarry(['accounts', 'list', '--json'], { QUARRY_DATA_DIR: demoDir, QUARRY_DEMO: 'false' });
        expect(accounts.code, accounts.stderr).toBe(0);
        expect(JSON.parse(accounts.stdout)).toEqual([]);
      } finally {
        await rm(demoDir, { recursive: true, force: true });
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const server = spawn(process.execPath, [quarryBin, 'serve', '--json'], { env: { PATH: process.env['PATH'] ?? '', ...env, PORT: '0' } });
    try {
      let stdout = '';
      server.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      let stderr = '';
      server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await vi.waitFor(() => expect(stdout).toContain('\n'), { timeout: 30_000, interval: 50 });
      // The start-up line is all of stdout; the server's own logs (info: "Server listening") went to stderr.
      await vi.waitFor(() => expect(stderr).toContain('Server listening'), { timeout: 5_000, interval: 50 });
      expect(stdout.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(stdout)).toMatchObject({ address: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), database: 'sqlite' });
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  }, 90_000);

  it('runs a command while another process holds the write lock (as a long import does)', async () => {
    const env = { QUARRY_DATA_DIR: dataDir, QUARRY_DEMO: 'false' };
    const first = await quarry(['accounts', 'list', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const importer = new BetterSqlite3(join(dataDir, sqliteFileDefault));
    try {
      importer.exec('begin immediate');
      const during = await quarry(['accounts', 'list', '--json'], env);
      expect(during.code, during.stderr).toBe(0);
      expect(JSON.parse(during.stdout)).toEqual(JSON.parse(first.stdout));
    } finally {
      importer.close();
    }
  });
});
