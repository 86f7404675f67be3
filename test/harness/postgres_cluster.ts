// A throwaway PostgreSQL cluster for the test run: initdb into a temporary folder, start it on a
// free port of 127.0.0.1 with trust authentication, and remove every trace of it in stop().
//
// The server refuses to run as root, so when we are root the binaries run as the `postgres` OS
// user (through runuser) and the temporary folder is handed to that user.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free_port.ts';

export interface PostgresCluster {
  /** The superuser's URL: postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  stop(): Promise<void>;
}

const postgresRoot = '/usr/lib/postgresql';
const installHint = 'install PostgreSQL: apt-get install -y postgresql';
const serverUser = 'postgres';
/** Several server processes, each with its own pool, share the cluster in concurrency tests. */
const connectionsMax = 300;
/** A port found free can be taken by someone else before the server binds it; then we retry. */
const startAttemptsMax = 3;
const startTimeoutSeconds = 60;
const readyTimeoutMs = 30_000;
const logLinesShown = 30;

const execFileAsync = promisify(execFile);

interface ClusterPaths {
  binDir: string;
  root: string;
  dataDir: string;
  logFile: string;
}

export interface ClusterOptions {
  /** More postgresql.conf settings, written before the server first starts (for example shared_buffers, which needs a restart to change). */
  settings?: Readonly<Record<string, string>>;
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = findBinDir();
  const root = await mkdtemp(join(tmpdir(), 'quarry-pg-'));
  const paths: ClusterPaths = { binDir, root, dataDir: join(root, 'data'), logFile: join(root, 'server.log') };
  // If the run dies without calling stop(), the exit of this process still takes the cluster down.
  const stopOnExit = (): void => stopSync(paths);
  process.on('exit', stopOnExit);
  try {
    await handToServerUser(root);
    await initCluster(paths, options.settings ?? {});
    const port = await startServer(paths);
    const url = `postgres://${serverUser}@127.0.0.1:${port}/postgres`;
    await waitUntilReady(url);
    return { url, stop: onlyOnce(() => stopCluster(paths, stopOnExit)) };
  } catch (error) {
    await stopCluster(paths, stopOnExit);
    throw error;
  }
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb, else initdb on the PATH. */
function findBinDir(): string {
  const versions = existsSync(postgresRoot) ? readdirSync(postgresRoot) : [];
  const candidates = versions
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(postgresRoot, version, 'bin'));
  candidates.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) not found under ${postgresRoot}/*/bin or on the PATH; ${installHint}`);
  }
  return found;
}

function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

async function handToServerUser(root: string): Promise<void> {
  if (!runningAsRoot()) return;
  const ids = await Promise.all([idOf('-u'), idOf('-g')]);
  await chown(root, ids[0], ids[1]);
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  try {
    const { stdout } = await execFileAsync('id', [flag, serverUser]);
    return Number(stdout.trim());
  } catch (error) {
    throw new Error(`no '${serverUser}' OS user to run PostgreSQL as (it refuses to run as root); ${installHint}`, {
      cause: error,
    });
  }
}

/** Runs one PostgreSQL binary, as the server user when we are root; fails with its output. */
async function runBinary(paths: ClusterPaths, name: string, args: string[]): Promise<void> {
  const binary = join(paths.binDir, name);
  const [command, commandArgs] = runningAsRoot()
    ? ['runuser', ['-u', serverUser, '--', binary, ...args]]
    : [binary, args];
  try {
    // The working directory must be one the server user can enter.
    await execFileAsync(command, commandArgs, { cwd: paths.root, timeout: (startTimeoutSeconds + 30) * 1000 });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    const detail = `${output.stderr ?? ''}${output.stdout ?? ''}`.trim();
    throw new Error(`${name} ${args.join(' ')} failed: ${detail}`, { cause: error });
  }
}

async function initCluster(paths: ClusterPaths, extraSettings: Readonly<Record<string, string>>): Promise<void> {
  await runBinary(paths, 'initdb', [
    '--pgdata', paths.dataDir,
    '--username', serverUser,
    '--auth', 'trust',
    '--encoding', 'UTF8',
    '--locale', 'C',
    '--no-sync',
  ]);
  // The last setting in the file wins; the port is given at start, so a retry can change it.
  const settings = [
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${paths.root}'`,
    `max_connections = ${connectionsMax}`,
    // The cluster is thrown away after the run, so there is nothing for fsync to protect.
    'fsync = off',
    ...Object.entries(extraSettings).map(([name, value]) => `${name} = '${value.replaceAll("'", "''")}'`),
  ];
  await appendFile(join(paths.dataDir, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
}

/** Starts the server on a free port and returns the port; retries when the port was taken. */
async function startServer(paths: ClusterPaths): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await runBinary(paths, 'pg_ctl', [
        'start', '--pgdata', paths.dataDir, '--log', paths.logFile,
        '--wait', '--timeout', String(startTimeoutSeconds), '--silent',
        '-o', `-p ${port}`,
      ]);
      return port;
    } catch (error) {
      if (attempt >= startAttemptsMax) {
        throw new Error(`PostgreSQL did not start; server log:\n${await logTail(paths)}`, { cause: error });
      }
    }
  }
}


/** pg_ctl --wait already waits; a real query proves the TCP listener and trust auth work too. */
async function waitUntilReady(url: string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL at ${url} never accepted a query`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function stopCluster(paths: ClusterPaths, stopOnExit: () => void): Promise<void> {
  process.off('exit', stopOnExit);
  if (existsSync(join(paths.dataDir, 'postmaster.pid'))) {
    try {
      await runBinary(paths, 'pg_ctl', ['stop', '--pgdata', paths.dataDir, '--mode', 'immediate', '--wait', '--silent']);
    } catch {
      await killPostmaster(paths);
    }
  }
  await rm(paths.root, { recursive: true, force: true });
}

/** The last resort when pg_ctl cannot stop the server: backends exit when their postmaster dies. */
async function killPostmaster(paths: ClusterPaths): Promise<void> {
  const pidFile = await readFile(join(paths.dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(pidFile.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The same as stopCluster, synchronously, for the process's exit event. */
function stopSync(paths: ClusterPaths): void {
  const pgCtl = join(paths.binDir, 'pg_ctl');
  const args = ['stop', '--pgdata', paths.dataDir, '--mode', 'immediate', '--wait', '--silent'];
  try {
    if (runningAsRoot()) execFileSync('runuser', ['-u', serverUser, '--', pgCtl, ...args], { cwd: paths.root, stdio: 'ignore' });
    else execFileSync(pgCtl, args, { cwd: paths.root, stdio: 'ignore' });
  } catch {
    // Nothing more can be done while exiting; the folder is removed all the same.
  }
  rmSync(paths.root, { recursive: true, force: true });
}

async function logTail(paths: ClusterPaths): Promise<string> {
  const log = await readFile(paths.logFile, 'utf8').catch(() => '(no log)');
  return log.trimEnd().split('\n').slice(-logLinesShown).join('\n');
}

function onlyOnce(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= work());
}
