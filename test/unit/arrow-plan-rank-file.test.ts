import { Field, Int32, RecordBatch, RecordBatchFileWriter, Schema, Struct, makeData, tableFromIPC, type Data } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodePlanRankFile, encodeLengthIndex, encodePlanRankFile, type PlanRankMeta } from '../../lib/arrow/index.js';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { fingerprintLengthIndex } from '../../lib/core/fingerprint.js';
import { offsetsFromCounts, type EpochPlan } from '../../lib/core/plan/epoch-plan.js';
import { hash32, makeLengthIndexFixture } from '../helpers/length-index-fixture.js';

// 15 samples over 3 ranks of uneven sizes (10, 7, 0 entries), micro-batch 4; declared padding at
// rank 0 positions 8 and 9 (across a byte boundary of the bit-packed column) and rank 1 position 6.
const lengths = Int32Array.from([120, -40, 300, 7, -9, 55, 61, -2, 800, 33, 12, -600, 90, 4, 18]);
const plan: EpochPlan = {
  strategyId: 'balanced@1',
  epoch: 2,
  worldSize: 3,
  microBatchSize: 4,
  sampleIds: Int32Array.from([3, 14, 0, 9, 6, 11, 2, 8, 3, 0, /* rank 1 */ 1, 13, 5, 10, 12, 7, 4]),
  rankStarts: offsetsFromCounts([10, 7, 0]),
  isPadding: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, /* rank 1 */ 0, 0, 0, 0, 0, 0, 1]),
  droppedIds: new Int32Array(0),
};
const meta: PlanRankMeta = {
  planFingerprint: 'f'.repeat(64),
  strategyId: 'balanced@1',
  epoch: 2,
  worldSize: 3,
  microBatchSize: 4,
  gradientAccumulation: 8,
};

describe('plan-rank Arrow file', () => {
  it('round-trips rank 0 with step and slot derived from the position', () => {
    const decoded = decodePlanRankFile(encodePlanRankFile(plan, 0, lengths, meta), 'rank-0.arrow');
    expect(decoded.sampleIds).toEqual(Int32Array.from([3, 14, 0, 9, 6, 11, 2, 8, 3, 0]));
    expect(decoded.steps).toEqual(Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]));
    expect(decoded.slots).toEqual(Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]));
    expect(decoded.lengths).toEqual(Int32Array.from([7, 18, 120, 33, 61, -600, 300, 800, 7, 120]));
    expect(decoded.isPadding).toEqual(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]));
    expect(decoded.packs).toEqual(decoded.slots);
    expect(decoded.stepStarts).toEqual(Float64Array.from([0, 4, 8, 10]));
    expect(decoded.packStarts).toEqual(Float64Array.from({ length: 11 }, (_, k) => k));
    expect(decoded.metadata).toEqual({ kind: 'plan-rank', formatVersion: '2', rank: 0, firstStep: 0, layout: 'fixed', stepCount: 3, maxTokens: null, ...meta });
  });

  it('numbers the steps of a resumed plan from its first step', () => {
    const resumed = decodePlanRankFile(encodePlanRankFile({ ...plan, firstStep: 5 }, 0, lengths, meta));
    expect(resumed.steps).toEqual(Int32Array.from([5, 5, 5, 5, 6, 6, 6, 6, 7, 7]));
    expect(resumed.metadata.firstStep).toBe(5);
  });

  it('round-trips the shorter rank 1 and the empty rank 2', () => {
    const rank1 = decodePlanRankFile(encodePlanRankFile(plan, 1, lengths, meta));
    expect(rank1.sampleIds).toEqual(Int32Array.from([1, 13, 5, 10, 12, 7, 4]));
    expect(rank1.steps).toEqual(Int32Array.from([0, 0, 0, 0, 1, 1, 1]));
    expect(rank1.slots).toEqual(Int32Array.from([0, 1, 2, 3, 0, 1, 2]));
    expect(rank1.lengths).toEqual(Int32Array.from([-40, 4, 55, 12, 90, -2, -9]));
    expect(rank1.isPadding).toEqual(Uint8Array.from([0, 0, 0, 0, 0, 0, 1]));
    expect(rank1.metadata.rank).toBe(1);
    const rank2 = decodePlanRankFile(encodePlanRankFile(plan, 2, lengths, meta));
    expect(rank2.sampleIds.length).toBe(0);
    expect(rank2.isPadding.length).toBe(0);
    expect(rank2.metadata.rank).toBe(2);
  });

  it('keeps every padding bit of a long rank and stores is_padding as Arrow Bool', () => {
    const n = 1003;
    const big: EpochPlan = {
      ...plan,
      worldSize: 1,
      microBatchSize: 7,
      sampleIds: Int32Array.from({ length: n }, (_, i) => i % 15),
      rankStarts: offsetsFromCounts([n]),
      isPadding: Uint8Array.from({ length: n }, (_, i) => hash32(9, i, 0) & 1),
    };
    const bytes = encodePlanRankFile(big, 0, lengths, { ...meta, worldSize: 1, microBatchSize: 7 });
    const decoded = decodePlanRankFile(bytes);
    expect(decoded.isPadding).toEqual(big.isPadding);
    for (let p = 0; p < n; p++) {
      expect([decoded.steps[p], decoded.slots[p]]).toEqual([Math.floor(p / 7), p % 7]);
    }
    const table = tableFromIPC(bytes);
    expect(String(table.schema.fields.find((f) => f.name === 'is_padding')!.type)).toBe('Bool');
    expect(table.batches.length).toBe(1);
  });

  it('writes the same bytes for the same inputs, and different bytes for another rank', () => {
    const once = encodePlanRankFile(plan, 1, lengths, meta);
    const twice = encodePlanRankFile({ ...plan, sampleIds: plan.sampleIds.slice() }, 1, lengths.slice(), { ...meta });
    expect(Buffer.compare(once, twice)).toBe(0);
    expect(Buffer.compare(once, encodePlanRankFile(plan, 0, lengths, meta))).not.toBe(0);
  });

  it('refuses a rank out of range, meta that contradicts the plan and sample ids without a length', () => {
    expect(() => encodePlanRankFile(plan, 3, lengths, meta)).toThrow(InvalidInputError);
    expect(() => encodePlanRankFile(plan, 0, lengths, { ...meta, microBatchSize: 8 })).toThrow(/meta\.microBatchSize/);
    expect(() => encodePlanRankFile(plan, 0, lengths, { ...meta, strategyId: 'other@1' })).toThrow(/meta\.strategyId/);
    expect(() => encodePlanRankFile(plan, 0, lengths, { ...meta, gradientAccumulation: 0 })).toThrow(/gradientAccumulation/);
    expect(() => encodePlanRankFile(plan, 0, lengths.subarray(0, 10), meta)).toThrow(/plan\.sampleIds\[1\]: is 14/);
  });
});

describe('plan-rank Arrow file: corrupt input', () => {
  const bytes = encodePlanRankFile(plan, 0, lengths, meta);

  /** Re-write the file with edited metadata and/or one replaced Int32 column. */
  function rewrite(editMeta: (m: Map<string, string>) => void, column?: [string, (v: Int32Array) => Int32Array]): Uint8Array {
    const table = tableFromIPC(bytes);
    const metadata = new Map(table.schema.metadata);
    editMeta(metadata);
    const fields: Field[] = [...table.schema.fields];
    const children: Data[] = [...table.batches[0]!.data.children];
    if (column) {
      const at = fields.findIndex((f) => f.name === column[0]);
      children[at] = makeData({ type: new Int32(), length: table.numRows, nullCount: 0, data: column[1](children[at]!.values as Int32Array) });
    }
    const data = makeData({ type: new Struct(fields), length: table.numRows, nullCount: 0, children });
    return RecordBatchFileWriter.writeAll([new RecordBatch(new Schema(fields, metadata), data)]).toUint8Array(true);
  }

  it.each([
    ['kind', (m: Map<string, string>) => m.set('megashard.kind', 'length-index'), /megashard\.kind" must be "plan-rank"/],
    ['version', (m: Map<string, string>) => m.set('megashard.format_version', '0'), /format_version" must be "1" or "2"/],
    ['rank', (m: Map<string, string>) => m.set('megashard.rank', '3'), /megashard\.rank" must be below/],
    ['epoch', (m: Map<string, string>) => m.set('megashard.epoch', '1.5'), /megashard\.epoch" must be a decimal integer/],
    ['world size', (m: Map<string, string>) => m.set('megashard.world_size', '0'), /world_size" must be ≥ 1/],
    ['run fingerprint', (m: Map<string, string>) => m.delete('megashard.run_fingerprint'), /run_fingerprint" is missing/],
  ])('bad %s metadata is a CorruptArtifactError naming the file and key', (_what, edit, message) => {
    expect(() => decodePlanRankFile(rewrite(edit), 'plans/e2/rank-0.arrow')).toThrow(CorruptArtifactError);
    expect(() => decodePlanRankFile(rewrite(edit), 'plans/e2/rank-0.arrow')).toThrow(message);
  });

  it('rejects a step or slot that disagrees with the position', () => {
    const shifted = rewrite(() => {}, ['step', (v) => v.map((s, p) => (p === 9 ? s + 1 : s))]);
    expect(() => decodePlanRankFile(shifted, 'r0')).toThrow(
      /^r0: row 9 has step 3, slot 1, pack 1; micro_batch_size 4 and first_step 0 imply step 2, slot 1, pack 1$/,
    );
  });

  it('refuses a length-index file', () => {
    const index = makeLengthIndexFixture(10, 1);
    const indexBytes = encodeLengthIndex(index);
    expect(() => decodePlanRankFile(indexBytes, 'x')).toThrow(/megashard\.kind" must be "plan-rank"/);
  });
});
