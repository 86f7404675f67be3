// Proves, through the real `quarry` command, that a setting at fault is reported as a message
// (JSON with --json) and exit code 1, never a stack trace; that the commands keep the operator
// API's bounds on what they write; and that a command boots while
// another process (an import) holds SQLite's write lock: booting only reads what is unchanged.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
