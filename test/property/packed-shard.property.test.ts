import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeShardFile, readShardBatches, readShardColumns, type ShardMeta, type ShardRows } from '../../lib/arrow/shard-file.js';
import { utf8ColumnFromStrings } from '../../lib/core/index/length-index.js';
import { packInStepColumn, packStartsOfColumn, type PackedRankLayout } from '../../lib/core/shards/packed-rank-layout.js';
import { IGNORE_INDEX, IMAGE_TOKEN_INDEX, maskPackBoundaryLabels, packCuSeqlens, packedPositionIds } from '../../lib/core/shards/packed-token-columns.js';

/** One sample: its text tokens around some image sentinels, and each image's vision tokens. */
const sampleArb = fc.record({
  text: fc.integer({ min: 1, max: 12 }),
  images: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 3 }),
  firstLabel: fc.integer({ min: -100, max: 50 }),
});
/** Steps of packs of samples: steps[k][j] = the samples of pack j of step k. */
const rankArb = fc.array(fc.array(fc.array(sampleArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 });

type Sample = { text: number; images: number[]; firstLabel: number };

/** Columns of a rank built the obvious way (per-row arrays), to check the typed-array functions against. */
function build(steps: Sample[][][]) {
  const samples = steps.flat(2);
  const stepStarts = [0];
  const packStarts = [0];
  for (const packs of steps) {
    for (const pack of packs) packStarts.push(packStarts.at(-1)! + pack.length);
    stepStarts.push(packStarts.at(-1)!);
  }
  const ids: number[][] = samples.map((s, p) => {
    const row = Array.from({ length: s.text }, (_, t) => 1000 * p + t);
    s.images.forEach((_, k) => row.splice(Math.min(row.length, 1 + 2 * k), 0, IMAGE_TOKEN_INDEX));
    return row;
  });
  const offsets = (sizes: number[]) => Int32Array.from([0, ...sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0))]);
  const layout: PackedRankLayout = { firstStep: 0, stepStarts: Int32Array.from(stepStarts), packStarts: Int32Array.from(packStarts) };
  const tokens = {
    tokenOffsets: offsets(ids.map((r) => r.length)),
    inputIds: Int32Array.from(ids.flat()),
    labels: Int32Array.from(ids.flatMap((r, p) => r.map((t, i) => (i === 0 ? samples[p]!.firstLabel : t === IMAGE_TOKEN_INDEX ? IGNORE_INDEX : t)))),
    imageOffsets: offsets(samples.map((s) => s.images.length)),
    imageTokens: Int32Array.from(samples.flatMap((s) => s.images)),
  };
  const totalTokens = Int32Array.from(samples, (s) => s.text + s.images.reduce((a, b) => a + b, 0));
  return { samples, ids, layout, tokens, totalTokens };
}

describe('packed shard columns (properties)', () => {
  it('position ids restart at 0 for every sample and, expanded, run 0 … total_tokens − 1', () => {
    fc.assert(
      fc.property(rankArb, (steps) => {
        const { ids, tokens, totalTokens } = build(steps);
        const positions = packedPositionIds(tokens);
        ids.forEach((row, p) => {
          const from = tokens.tokenOffsets[p]!;
          expect(positions[from]).toBe(0);
          // Expand every sentinel into its vision tokens: the positions must be exactly 0..total-1.
          const expanded: number[] = [];
          let image = tokens.imageOffsets[p]!;
          row.forEach((t, i) => {
            const width = t === IMAGE_TOKEN_INDEX ? tokens.imageTokens[image++]! : 1;
            for (let k = 0; k < width; k++) expanded.push(positions[from + i]! + k);
          });
          expect(expanded).toEqual(Array.from({ length: totalTokens[p]! }, (_, k) => k));
        });
      }),
    );
  });

  it('cu_seqlens are the running sum of the samples of each pack, ending at the pack’s tokens', () => {
    fc.assert(
      fc.property(rankArb, (steps) => {
        const { layout, totalTokens } = build(steps);
        for (let j = 0; j + 1 < layout.packStarts.length; j++) {
          const [start, end] = [layout.packStarts[j]!, layout.packStarts[j + 1]!];
          const cu = packCuSeqlens(totalTokens, start, end);
          expect(cu[0]).toBe(0);
          expect(cu.length).toBe(end - start + 1);
          for (let p = start; p < end; p++) expect(cu[p - start + 1]! - cu[p - start]!).toBe(totalTokens[p]);
        }
      }),
    );
  });

  it('the first label of every sample after the first in a pack is −100, and no other label changes', () => {
    fc.assert(
      fc.property(rankArb, (steps) => {
        const { tokens, layout } = build(steps);
        const masked = maskPackBoundaryLabels(tokens.labels, tokens.tokenOffsets, layout.packStarts);
        const packStart = new Set(layout.packStarts);
        for (let p = 0; p + 1 < tokens.tokenOffsets.length; p++) {
          for (let t = tokens.tokenOffsets[p]!; t < tokens.tokenOffsets[p + 1]!; t++) {
            const boundary = t === tokens.tokenOffsets[p] && !packStart.has(p);
            expect(masked[t]).toBe(boundary ? IGNORE_INDEX : tokens.labels[t]);
          }
        }
      }),
    );
  });

  it('pack numbers restart in every step and give the pack starts back', () => {
    fc.assert(
      fc.property(rankArb, (steps) => {
        const { layout } = build(steps);
        const pack = packInStepColumn(layout);
        let row = 0;
        for (const packs of steps) packs.forEach((members, j) => members.forEach(() => expect(pack[row++]).toBe(j)));
        expect(packStartsOfColumn(pack, layout.stepStarts)).toEqual(layout.packStarts);
      }),
    );
  });

  it('a packed shard round-trips with one record batch per step, and the same rows give the same bytes', () => {
    fc.assert(
      fc.property(rankArb, fc.boolean(), (steps, withTokens) => {
        const { samples, tokens, layout, totalTokens } = build(steps);
        const n = samples.length;
        const rows: ShardRows = {
          sampleIds: Int32Array.from(samples, (_, p) => p),
          recordIds: utf8ColumnFromStrings(samples.map((_, p) => `r${p}`)),
          lengths: totalTokens,
          totalTokens,
          trainableTokens: new Int32Array(n),
          modality: Uint8Array.from(samples, (s) => (s.images.length > 0 ? 1 : 0)),
          isPadding: new Uint8Array(n),
          pack: packInStepColumn(layout),
          ...(withTokens
            ? {
                tokens: {
                  ...tokens,
                  labels: maskPackBoundaryLabels(tokens.labels, tokens.tokenOffsets, layout.packStarts),
                  positionIds: packedPositionIds(tokens),
                  images: utf8ColumnFromStrings(samples.flatMap((s, p) => s.images.map((_, k) => `img/${p}-${k}.png`))),
                },
              }
            : {}),
        };
        const meta: ShardMeta = {
          planFingerprint: 'a'.repeat(64),
          indexFingerprint: 'b'.repeat(64),
          tokenizerFingerprint: '',
          strategyId: 'balanced-pack@1',
          epoch: 0,
          rank: 0,
          worldSize: 1,
          microBatchSize: 1,
          gradientAccumulation: 1,
          firstStep: 0,
          packing: { maxTokens: 100, maxImagesPerPack: null, overLength: 'own-pack', costLinearWeight: 0 },
        };
        const bytes = encodeShardFile(rows, meta, layout.stepStarts);
        expect(encodeShardFile(rows, meta, layout.stepStarts)).toEqual(bytes);
        const read = readShardColumns(bytes, 'mem');
        expect(read.stepStarts).toEqual(layout.stepStarts);
        expect(read.pack).toEqual(rows.pack);
        expect(read.metadata.packing).toEqual(meta.packing);
        if (withTokens) expect(read.tokens!.positionIds).toEqual(rows.tokens!.positionIds);
        const batches = [...readShardBatches(bytes, 'mem', steps.length - 1).batches];
        expect(batches).toHaveLength(1);
        expect(batches[0]!.sampleIds.length).toBe(steps.at(-1)!.flat().length);
        expect(Array.from(batches[0]!.pack!)).toEqual(steps.at(-1)!.flatMap((members, j) => members.map(() => j)));
      }),
      { numRuns: 60 },
    );
  });
});
