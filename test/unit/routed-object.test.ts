/**
 * The pure pieces of the shard shuffle: a routed object's header locates every section from its
 * number alone (and a short read is named, never misread); the routing table puts every planned
 * entry of an epoch in its tokens file's bucket in (section, rank, position) order.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CorruptArtifactError } from '../../lib/core/errors.js';
import { routeEpochEntries, sectionsOfRanks } from '../../lib/core/shards/route-entries.js';
import { encodeRoutedObject, readRoutedHeader, sectionBoundsRange, sectionSpan } from '../../lib/core/shards/routed-object.js';

describe('routed object', () => {
  it('finds each section from two offsets at a fixed place', () => {
    const sections = [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3, 4, 5])];
    const bytes = encodeRoutedObject(7, sections);
    expect(readRoutedHeader(bytes, 'x')).toEqual({ file: 7, sections: 3 });
    sections.forEach((section, k) => {
      const [a, b] = sectionBoundsRange(k);
      const [start, end] = sectionSpan(bytes.subarray(a, b), k, 1, 'x');
      expect(Array.from(bytes.subarray(start, end))).toEqual(Array.from(section));
    });
    const [a] = sectionBoundsRange(2);
    expect(() => sectionSpan(bytes.subarray(a, a + 12), 2, 1, 'routed/part-000007.route')).toThrow(CorruptArtifactError);
    expect(() => sectionSpan(bytes.subarray(a, a + 12), 2, 1, 'routed/part-000007.route')).toThrow(/routed\/part-000007\.route: ends inside its header/);
  });
});

describe('routing table', () => {
  it('buckets every entry by its tokens file, in (section, rank, position) order within a file', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        (worldSize, files, samples, seed) => {
          const rowStarts = Float64Array.from({ length: files + 1 }, (_, f) => Math.round((f * samples) / files));
          const tokensRow = Int32Array.from({ length: samples }, (_, id) => id);
          let state = seed >>> 0;
          const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
          const rankIds = Array.from({ length: worldSize }, () => Int32Array.from({ length: next() % 8 }, () => next() % samples));
          const half = Math.max(1, Math.floor(worldSize / 2));
          const sections = [{ section: 4, ranks: [0, half] as const }, ...(half < worldSize ? [{ section: 5, ranks: [half, worldSize] as const }] : [])];
          const routed = routeEpochEntries({ rankIds, sectionOfRank: sectionsOfRanks(worldSize, sections) }, { tokensRow, rowStarts });
          const total = rankIds.reduce((sum, ids) => sum + ids.length, 0);
          expect(routed.fileStarts[files]).toBe(total);
          for (let f = 0; f < files; f++) {
            for (let i = routed.fileStarts[f]!; i < routed.fileStarts[f + 1]!; i++) {
              const id = routed.sampleId[i]!;
              expect(rankIds[routed.rank[i]!]![routed.position[i]!]).toBe(id);
              expect(id >= rowStarts[f]! && id < rowStarts[f + 1]!).toBe(true);
              expect(routed.localRow[i]).toBe(id - rowStarts[f]!);
              if (i > routed.fileStarts[f]!) {
                const key = (j: number) => [routed.section[j]!, routed.rank[j]!, routed.position[j]!];
                const [a, b] = [key(i - 1), key(i)];
                expect(a[0]! < b[0]! || (a[0] === b[0] && (a[1]! < b[1]! || (a[1] === b[1] && a[2]! < b[2]!)))).toBe(true);
              }
            }
          }
        },
      ),
    );
  });
});
