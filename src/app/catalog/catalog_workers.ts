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

/** The first message of every worker: its module is loaded and listening. */
const readyMessage = 'quarry:catalog-worker-ready';

/**
 * Plain JavaScript (no loader yet): loads tsx's API, then the worker module through it, then
 * says so (the module has set its message listener by then: its top level has run).
 */
const workerBootstrap = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then((tsx) => tsx.tsImport(workerData.entry, workerData.entry))
  .then(() => parentPort.postMessage(workerData.readyMessage));
`;

/** tsx's ESM API (the package maps `tsx/esm/api` to index.cjs for require, index.mjs for import). */
function tsxApiUrl(): string {
  const path = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  assert(existsSync(path), `tsx's ESM API is not at ${path}`);
  return pathToFileURL(path).href;
}

export interface CatalogWorkerOptions {
  /**
   * The ceiling of each worker's young generation (V8's nursery, three times its semi-space), in
   * MB. A worker that builds large batches of short-lived records collects garbage far less
   * often, and copies far less of what is still live, with a larger one.
   */
  youngGenerationMb?: number;
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
  #notReady: number;
  #failure: Error | null = null;

  /**
   * `entry`: the worker module's URL (new URL('./x_worker.ts', import.meta.url)).
   * `youngGenerationMb`: the most memory each worker's young generation may take (V8's default
   * when absent; see CatalogWorkerOptions).
   */
  constructor(entry: URL, count: number, options: CatalogWorkerOptions = {}) {
    assert(count > 0, 'at least one worker');
    this.#notReady = count;
    const workerData = { tsx: tsxApiUrl(), entry: entry.href, readyMessage };
    const resourceLimits = options.youngGenerationMb === undefined ? undefined : { maxYoungGenerationSizeMb: options.youngGenerationMb };
    for (let index = 0; index < count; index += 1) {
      const worker = new Worker(workerBootstrap, { eval: true, workerData, resourceLimits });
      const pending: Array<Pending<Result>> = [];
      let ready = false;
      worker.on('message', (result: Result | typeof readyMessage) => {
        if (!ready && result === readyMessage) {
          ready = true;
          this.#notReady -= 1;
          return;
        }
        pending.shift()?.resolve(result as Result);
      });
      worker.on('error', (error) => this.#fail(error));
      worker.on('exit', (code) => this.#fail(new Error(`a catalog worker stopped (exit code ${code})`)));
      this.#workers.push(worker);
      this.#pending.push(pending);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /**
   * True once every worker has loaded its module (about half a second after the start: tsx
   * compiles it). Requests submitted before wait in the worker's queue; a caller with work it
   * can do itself may do it meanwhile.
   */
  get ready(): boolean {
    return this.#notReady === 0;
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
