// Proves that the COPY text of PostgreSQL's bulk writes is exactly COPY's text format, for any values.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { CopyBuffer } from '../../src/store/catalog_bulk_postgres.ts';

/** The format by its definition: \N for null, backslash escapes, tabs between values, a newline after. */
function referenceRow(values: ReadonlyArray<string | number | null>): string {
  const escape = (text: string): string => text.replace(/[\\\t\n\r]/g, (character) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[character]!);
  return `${values.map((value) => (value === null ? '\\N' : escape(String(value)))).join('\t')}\n`;
}

const awkwardText = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '\\', '\t', '\n', '\r', 'N', '"', '\u007f', 'ü', '東', '🚀') });
const value = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), awkwardText, fc.integer(), fc.double({ noNaN: true }), fc.constant(null));

describe('CopyBuffer', () => {
  test('writes every row as the reference encoding of COPY text gives it, in UTF-8', () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: 1, maxLength: 12 }), { maxLength: 20 }), (rows) => {
        const buffer = new CopyBuffer();
        for (const row of rows) buffer.row(...row);
        expect(Buffer.from(buffer.bytes()).toString('utf8')).toBe(rows.map(referenceRow).join(''));
      }),
      { numRuns: 500 },
    );
  });

  test('grows past its first size without losing what it held', () => {
    const buffer = new CopyBuffer();
    const long = 'x\\'.repeat(100_000);
    buffer.row('start', null);
    buffer.row(long, 7);
    // Past the first size again, on the path of text that is not all ASCII (3 bytes a character).
    const wide = `a\t${'東'.repeat(30_000)}\\`;
    buffer.row(wide);
    expect(Buffer.from(buffer.bytes()).toString('utf8')).toBe(`start\t\\N\n${'x\\\\'.repeat(100_000)}\t7\na\\t${'東'.repeat(30_000)}\\\\\n`);
  });
});
