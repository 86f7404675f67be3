// Real `quarry serve` processes for tests, as a deployment runs them: started on a free port, healthy before use, always stopped.
//
// Each process gets a free port, a fixed operator token, no demo data and quiet logs, and is
// ready once GET /health answers. Its output is kept (the last few kilobytes) so that a failure
// can say what the server said. Every process started here is tracked: a test file calls
// stopAllServerProcesses() in afterAll, and a process-exit hook kills whatever is left, so a
// failing or interrupted test never leaves a server behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testAdminToken } from './test_app.ts';
import { freePort } from './free_port.ts';

export { testAdminToken };

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const quarryBin = join(repositoryRoot, 'bin', 'quarry.js');

/** How long a server may take from spawn to a healthy /health (tsx compiles on the first start). */
const startTimeoutMs = 30_000;
/** How long one /health probe may take, and how long to wait between probes. */
const healthProbeTimeoutMs = 1_000;
const healthProbeIntervalMs = 50;
/** How long a SIGTERM gets before it becomes a SIGKILL, and how long any exit may take. */
const stopGraceMs = 5_000;
const exitWaitMs = 5_000;
/** How much of the server's output is kept for failure messages. */
const outputCharsMax = 16_000;
/** Attempts to start when the chosen port was taken by someone else in the meantime. */
const startAttemptsMax = 3;

export interface ServerProcessOptions {
  /** A postgres:// URL selects PostgreSQL; without it the server uses SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** The data directory (the SQLite file lives here; on PostgreSQL it only holds local state). */
  dataDir: string;
  /** Extra settings, e.g. QUARRY_DB_POOL_SIZE. */
  env?: Record<string, string>;
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  /** Everything the process wrote so far (stdout and stderr, the last few kilobytes). */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM (a graceful shutdown), then SIGKILL if it does not exit in time; resolves on exit. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would; resolves when the process is gone. */
  kill9(): Promise<void>;
}

const running = new Set<ChildProcess>();

// The last line of defence: a test runner that exits with servers still running kills them.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `node bin/quarry.js serve` and resolves once it answers GET /health. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= startAttemptsMax; attempt += 1) {
    const port = await freePort();
    try {
      return await startOnPort(options, port);
    } catch (error) {
      lastError = error;
      // Only a port taken between freePort() and listen() is worth another attempt.
      if (!String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
  throw lastError;
}

/** Stops every server process this module started and that is still running (for afterAll). */
export async function stopAllServerProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => terminate(child, 'SIGKILL')));
}

async function startOnPort(options: ServerProcessOptions, port: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, [quarryBin, 'serve'], {
    cwd: repositoryRoot,
    env: serverEnv(options, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-outputCharsMax);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', () => running.delete(child));
  const spawnError = await Promise.race([
    once(child, 'spawn').then(() => undefined),
    once(child, 'error').then(([error]) => error as Error),
  ]);
  if (spawnError) {
    running.delete(child);
    throw new Error(`could not spawn the server: ${spawnError.message}`);
  }
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(url, child, () => output);
  } catch (error) {
    await terminate(child, 'SIGKILL');
    throw error;
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: () => terminate(child, 'SIGTERM'),
    kill9: () => terminate(child, 'SIGKILL'),
  };
}

/**
 * The server's environment: only what it needs, so settings of the test run (NODE_OPTIONS,
 * a DATABASE_URL of the developer's shell, QUARRY_* variables) cannot leak into it.
 */
function serverEnv(options: ServerProcessOptions, port: number): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    if (process.env[name] !== undefined) inherited[name] = process.env[name];
  }
  return {
    ...inherited,
    PORT: String(port),
    HOST: '127.0.0.1',
    QUARRY_DATA_DIR: options.dataDir,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    QUARRY_ADMIN_TOKEN: testAdminToken,
    QUARRY_DEMO: 'false',
    // Load and crash tests send hundreds of requests a second on one key.
    QUARRY_RATE_LIMIT: '0',
    QUARRY_LOG_LEVEL: 'warn',
    ...options.env,
  };
}

async function waitUntilHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${output()}`);
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(healthProbeTimeoutMs) });
      if (response.ok) return;
      await response.body?.cancel();
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, healthProbeIntervalMs));
  }
  throw new Error(`the server at ${url} was not healthy within ${startTimeoutMs} ms:\n${output()}`);
}

async function terminate(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const graceMs = signal === 'SIGTERM' ? stopGraceMs : exitWaitMs;
  const inTime = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
  if (inTime) return;
  if (signal === 'SIGTERM') {
    child.kill('SIGKILL');
    const killed = await Promise.race([exited.then(() => true), delay(exitWaitMs).then(() => false)]);
    if (killed) return;
  }
  throw new Error(`server process ${child.pid} did not exit after ${signal === 'SIGTERM' ? 'SIGTERM and ' : ''}SIGKILL`);
}


function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
  });
}
