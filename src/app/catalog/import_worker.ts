// A worker thread of the import (import_catalog.ts): answers each chunk of lines with its checks
// and encoded rows.
import { parentPort } from 'node:worker_threads';
import { checkChunk, type LineChunk } from './import_lines.ts';

const port = parentPort;
if (port === null) throw new Error('import_worker.ts runs as a worker thread');
port.on('message', (chunk: LineChunk) => {
  port.postMessage(checkChunk(chunk));
});
