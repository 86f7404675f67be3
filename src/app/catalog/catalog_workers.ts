// Worker threads for the catalog's CPU-bound work (generating the seed, validating an import):
// each worker runs one module that answers every request message with one result message, in
// order. Requests go out round-robin; submit() returns each one's result.
//
// The sources are TypeScript, so each worker loads its module through tsx's tsImport: on Node 20
// neither an `--import tsx` in the worker's execArgv nor registering tsx inside the worker
// reaches the loader of the worker's own module.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { assert } from '../../lib/assert.ts';

/** Plain JavaScript (no loader yet): loads tsx's API, then the worker module through it. */
const workerBootstrap = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => tsx.tsImport(workerData.entry, workerData.entry));
`;

/** tsx's ESM API (the package maps `tsx/esm/api` to index.cjs for require, index.mjs for import). */
function tsxApiUrl(): string {
  const path = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  assert(existsSync(path), `tsx's ESM API is not at ${path}`);
  return pathToFileURL(path).href;
}

interface Pending<Result> {
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

export class CatalogWorkers<Request, Result> {
  readonly #workers: Worker[] = [];
  /** Per worker, its requests not yet answered, oldest first (a worker answers in order). */
  readonly #pending: Array<Array<Pending<Result>>> = [];
  #next = 0;
  #failure: Error | null = null;

  /** `entry`: the worker module's URL (new URL('./x_worker.ts', import.meta.url)). */
  constructor(entry: URL, count: number) {
    assert(count > 0, 'at least one worker');
    const workerData = { tsx: tsxApiUrl(), entry: entry.href };
    for (let index = 0; index < count; index += 1) {
      const worker = new Worker(workerBootstrap, { eval: true, workerData });
      const pending: Array<Pending<Result>> = [];
      worker.on('message', (result: Result) => pending.shift()?.resolve(result));
      worker.on('error', (error) => this.#fail(error));
      worker.on('exit', (code) => this.#fail(new Error(`a catalog worker stopped (exit code ${code})`)));
      this.#workers.push(worker);
      this.#pending.push(pending);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** False once a worker failed or the workers were closed: submit() rejects from then on. */
  get usable(): boolean {
    return this.#failure === null;
  }

  /** Lets the process exit while the workers wait for work (a pool kept between jobs); ref() undoes it. */
  unref(): void {
    for (const worker of this.#workers) worker.unref();
  }

  ref(): void {
    for (const worker of this.#workers) worker.ref();
  }

  /** Sends `request` to the next worker. The result is marked handled: await it in turn. */
  submit(request: Request): Promise<Result> {
    const result = this.#failure !== null ? Promise.reject(this.#failure) : this.#send(request);
    result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('the catalog workers were closed');
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }

  #send(request: Request): Promise<Result> {
    const worker = this.#next % this.#workers.length;
    this.#next += 1;
    return new Promise<Result>((resolve, reject) => {
      this.#pending[worker]!.push({ resolve, reject });
      this.#workers[worker]!.postMessage(request);
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending) {
      for (const entry of pending.splice(0)) entry.reject(error);
    }
  }
}
