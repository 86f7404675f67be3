// Proves that a gzip import body that turns out broken only at its end, before the importer has
// started reading it (it first opens its transaction), neither crashes the process nor gets lost:
// the reader still sees the error (answered 400), and nothing is left unhandled.
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { decodedBody } from '../../src/http/admin/catalog_import.ts';

it('keeps the error of a gzip body cut short for its reader, however late the reading starts', async () => {
  const uncaught: unknown[] = [];
  const record = (error: unknown): void => {
    uncaught.push(error);
  };
  process.on('uncaughtException', record);
  try {
    const whole = gzipSync(`${JSON.stringify({ id: 'cmp_cut', name: 'Cut Short' })}\n`.repeat(1_000));
    const decoded = decodedBody({ headers: { 'content-encoding': 'gzip' } }, Readable.from([whole.subarray(0, 60)]));
    if (!(decoded instanceof Readable)) throw new Error('expected a stream');
    // The upload ends and gunzip fails before anyone reads.
    await delay(100);
    expect(uncaught).toEqual([]);
    await expect(async () => {
      for await (const chunk of decoded) expect(chunk).toBeInstanceOf(Buffer);
    }).rejects.toMatchObject({ code: 'Z_BUF_ERROR' });
  } finally {
    process.off('uncaughtException', record);
  }
});
