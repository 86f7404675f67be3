// A worker thread of the seed (seed_catalog.ts): answers each batch request with the batch's
// encoded rows. Generating is pure, so it needs nothing but the request.
import { parentPort } from 'node:worker_threads';
import { generateSeedBatch, type SeedBatchRequest } from './seed_batch.ts';

const port = parentPort;
if (port === null) throw new Error('seed_worker.ts runs as a worker thread');
port.on('message', (request: SeedBatchRequest) => {
  port.postMessage(generateSeedBatch(request));
});
