/**
 * Image-table lookups by binary search over a part's key column answer exactly what a set of the
 * keys would: every key found at its own row, every other string absent, and "is some key under
 * this prefix" as a scan would say — in UTF-8 byte order (S3's), whatever order the column is in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8ColumnFromStrings } from '../../lib/core/index/length-index.js';
import { SortedUtf8Keys } from '../../lib/core/images/sorted-utf8-keys.js';

const utf8 = new TextEncoder();
/** Short keys over a small alphabet (so prefixes and near-misses are common), with non-ASCII and astral characters. */
const keyArb = fc.array(fc.constantFrom('a', 'b', '/', '.', 'é', '中', '😀', '\uffff'), { maxLength: 6 }).map((chars) => chars.join(''));
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('SortedUtf8Keys', () => {
  it('finds exactly the keys, and prefixes as a scan would, sorted or not', () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { maxLength: 40 }), fc.array(keyArb, { maxLength: 20 }), fc.boolean(), (keys, probes, sorted) => {
        const column = sorted ? [...keys].sort(byBytes) : keys;
        const index = new SortedUtf8Keys(utf8ColumnFromStrings(column), column.length);
        for (const probe of [...column, ...probes]) {
          expect(index.rowOf(utf8.encode(probe))).toBe(column.indexOf(probe));
          expect(index.hasKeyStartingWith(utf8.encode(probe))).toBe(column.some((key) => key.startsWith(probe)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
