// Starting, watching and stopping the servers under test as child processes on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/harness/free_port.ts';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** How long a server may take from spawn to a healthy answer. */
const readyTimeoutMs = 60_000;
const readyPollMs = 100;
/** How long a server may take to exit after SIGTERM before it is killed. */
const stopTimeoutMs = 10_000;
/** The end of a child's output kept for error messages. */
const outputCharsKept = 8_000;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** Resident memory now (VmRSS), in bytes; undefined once the process is gone. */
  rssBytes(): number | undefined;
  /** The end of what the process wrote on stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Arguments after `node`. */
  args: (port: number) => string[];
  /** Variables added to a clean copy of the bench's environment. */
  env?: (port: number) => Record<string, string>;
  /** GET this path until it answers 200. */
  healthPath: string;
}

/** Children still running, so that an interrupted bench does not leave them behind. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, options.args(port), {
    cwd: repositoryRoot,
    env: { ...inheritedEnvironment(), ...options.env?.(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-outputCharsKept);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => running.delete(child), () => undefined);
  const origin = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    name: options.name,
    pid: child.pid!,
    origin,
    rssBytes: () => (child.exitCode === null ? residentBytes(child.pid!) : undefined),
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntilHealthy(child, `${origin}${options.healthPath}`);
  } catch (error) {
    await server.stop();
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${output}`, { cause: error });
  }
  return server;
}

/** The bench's environment without the settings the bench chooses itself for the server. */
function inheritedEnvironment(): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('QUARRY_') || ['DATABASE_URL', 'PORT', 'HOST', 'NODE_OPTIONS'].includes(key)) continue;
    kept[key] = value;
  }
  return kept;
}

async function waitUntilHealthy(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(readyPollMs);
  }
  throw new Error(`no healthy answer from ${url} within ${readyTimeoutMs} ms`);
}

/** VmRSS from /proc/<pid>/status (Linux), in bytes. */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}


export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
