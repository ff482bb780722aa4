import { Field, Int32, RecordBatch, RecordBatchFileWriter, Schema, Struct, makeData, tableFromIPC, type Data } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodePlanRankFile, encodePlanRankFile, planMicroBatchSize, planRankStepRows, type PlanRankMeta } from '../../lib/arrow/index.js';
import { CorruptArtifactError } from '../../lib/core/errors.js';
import { planBalancedPack } from '../../lib/core/packing/plan-balanced-pack.js';
import type { PackedEpochPlan } from '../../lib/core/packing/packed-epoch-plan.js';
import { resumePackedPlanAt } from '../../lib/core/packing/resume-packed-plan.js';
import { offsetsFromCounts, type EpochPlan } from '../../lib/core/plan/epoch-plan.js';

const totalTokens = Int32Array.from({ length: 300 }, (_, i) => 1 + (((i * 2654435761) >>> 0) % 900));
const packed = planBalancedPack(
  totalTokens,
  null,
  { maxTokens: 1024, worldSize: 4, seed: 7n, overLength: 'own-pack', maxImagesPerPack: null, megaBatchSamples: 128, costLinearWeight: 0 },
  1,
);
const metaOf = (plan: EpochPlan | PackedEpochPlan): PlanRankMeta => ({
  planFingerprint: 'a'.repeat(64),
  strategyId: plan.strategyId,
  epoch: plan.epoch,
  worldSize: plan.worldSize,
  microBatchSize: planMicroBatchSize(plan),
  gradientAccumulation: 2,
});

describe('plan-rank file v2: packed layout', () => {
  it('round-trips every rank: ids, padding, step and pack offsets, budget', () => {
    for (let r = 0; r < packed.worldSize; r++) {
      const decoded = decodePlanRankFile(encodePlanRankFile(packed, r, totalTokens, metaOf(packed)), `rank-${r}`);
      const start = packed.rankStarts[r]!;
      expect(decoded.sampleIds).toEqual(packed.sampleIds.subarray(start, packed.rankStarts[r + 1]));
      expect(decoded.isPadding).toEqual(packed.isPadding.subarray(start, packed.rankStarts[r + 1]));
      const steps = Float64Array.from(
        { length: packed.stepCount + 1 },
        (_, k) => (k === packed.stepCount ? packed.rankStarts[r + 1]! : packed.stepStarts[r * packed.stepCount + k]!) - start,
      );
      expect(decoded.stepStarts).toEqual(steps);
      // balanced-pack@1: one pack per rank per step.
      expect(decoded.packStarts).toEqual(steps);
      expect(decoded.metadata).toMatchObject({ formatVersion: '2', layout: 'packed', maxTokens: 1024, stepCount: packed.stepCount, microBatchSize: 1 });
      expect(decoded.packs.every((p) => p === 0)).toBe(true);
      const [from, to] = planRankStepRows(decoded, 0);
      expect(Array.from(decoded.steps.subarray(from, to)).every((s) => s === 0)).toBe(true);
    }
  });

  it('numbers a resumed packed plan from its first step', () => {
    const resumed = resumePackedPlanAt(packed, 3);
    const decoded = decodePlanRankFile(encodePlanRankFile(resumed, 1, totalTokens, metaOf(resumed)));
    expect(decoded.metadata.firstStep).toBe(3);
    expect(decoded.steps[0]).toBe(3);
    expect(decoded.metadata.stepCount).toBe(packed.stepCount - 3);
  });

  it('keeps several packs of one step apart', () => {
    // One rank, two steps: step 0 holds packs [0,1,2] [3], step 1 holds [4,5].
    const plan: PackedEpochPlan = {
      strategyId: 'test-pack@1',
      epoch: 0,
      worldSize: 1,
      maxTokens: 64,
      stepCount: 2,
      sampleIds: Int32Array.from([0, 1, 2, 3, 4, 5]),
      isPadding: new Uint8Array(6),
      rankStarts: Float64Array.from([0, 6]),
      stepStarts: Float64Array.from([0, 4, 6]),
      packStarts: Float64Array.from([0, 3, 4, 6]),
      rejectedIds: new Int32Array(0),
      rejectedReasons: new Uint8Array(0),
    };
    expect(planMicroBatchSize(plan)).toBe(2);
    const decoded = decodePlanRankFile(encodePlanRankFile(plan, 0, Int32Array.of(5, 5, 5, 40, 30, 30), metaOf(plan)));
    expect(decoded.packs).toEqual(Int32Array.from([0, 0, 0, 1, 0, 0]));
    expect(decoded.slots).toEqual(Int32Array.from([0, 1, 2, 3, 0, 1]));
    expect(decoded.packStarts).toEqual(Float64Array.from([0, 3, 4, 6]));
    expect(decoded.stepStarts).toEqual(Float64Array.from([0, 4, 6]));
  });
});

/** Rewrite a file: edit its metadata, replace or drop Int32 columns. */
function rewrite(
  bytes: Uint8Array,
  editMeta: (m: Map<string, string>) => void,
  columns: Record<string, ((v: Int32Array) => Int32Array) | null> = {},
): Uint8Array {
  const table = tableFromIPC(bytes);
  const metadata = new Map(table.schema.metadata);
  editMeta(metadata);
  const fields: Field[] = [];
  const children: Data[] = [];
  table.schema.fields.forEach((field, at) => {
    const edit = columns[field.name];
    if (edit === null) return;
    const child = table.batches[0]!.data.children[at]!;
    fields.push(field);
    children.push(edit ? makeData({ type: new Int32(), length: table.numRows, nullCount: 0, data: edit(child.values as Int32Array) }) : child);
  });
  const data = makeData({ type: new Struct(fields), length: table.numRows, nullCount: 0, children });
  return RecordBatchFileWriter.writeAll([new RecordBatch(new Schema(fields, metadata), data)]).toUint8Array(true);
}

describe('plan-rank file: version 1 still read', () => {
  const fixed: EpochPlan = {
    strategyId: 'balanced@1',
    epoch: 0,
    worldSize: 1,
    microBatchSize: 3,
    sampleIds: Int32Array.from([4, 2, 0, 1, 3]),
    rankStarts: offsetsFromCounts([5]),
    isPadding: Uint8Array.from([0, 0, 0, 0, 1]),
    droppedIds: new Int32Array(0),
  };
  const v2 = encodePlanRankFile(fixed, 0, Int32Array.of(10, -20, 30, -40, 50), metaOf(fixed));
  const v1 = rewrite(
    v2,
    (m) => {
      m.set('megashard.format_version', '1');
      for (const key of ['megashard.layout', 'megashard.step_count']) m.delete(key);
    },
    { pack: null },
  );

  it('decodes a v1 file (no pack column) as the fixed layout', () => {
    expect(tableFromIPC(v1).schema.fields.map((f) => f.name)).toEqual(['sample_id', 'step', 'slot', 'length', 'is_padding']);
    const decoded = decodePlanRankFile(v1, 'old.arrow');
    const fresh = decodePlanRankFile(v2, 'new.arrow');
    expect(decoded.metadata).toEqual({ ...fresh.metadata, formatVersion: '1' });
    expect(decoded.sampleIds).toEqual(fresh.sampleIds);
    expect(decoded.packs).toEqual(fresh.packs);
    expect(decoded.stepStarts).toEqual(Float64Array.from([0, 3, 5]));
    expect(decoded.packStarts).toEqual(fresh.packStarts);
  });

  it('refuses a v2 file without the v2 metadata, and a v2 file without the pack column', () => {
    expect(() =>
      decodePlanRankFile(
        rewrite(v2, (m) => m.delete('megashard.layout')),
        'x',
      ),
    ).toThrow(/megashard\.layout" is missing/);
    expect(() =>
      decodePlanRankFile(
        rewrite(v2, () => {}, { pack: null }),
        'x',
      ),
    ).toThrow(/column "pack" is missing/);
  });
});

describe('plan-rank file v2: corrupt packed files', () => {
  const bytes = encodePlanRankFile(packed, 0, totalTokens, metaOf(packed));
  it.each([
    ['a skipped step', { step: (v: Int32Array) => v.map((s) => (s >= 2 ? s + 1 : s)) }, () => {}, /implies step 2/],
    ['a pack that jumps', { pack: (v: Int32Array) => v.map((p, i) => (i === 0 ? 1 : p)) }, () => {}, /row 0 has step 0, slot 0, pack 1/],
    ['a wrong step count', {}, (m: Map<string, string>) => m.set('megashard.step_count', '999'), /step_count says 999/],
    ['no budget', {}, (m: Map<string, string>) => m.delete('megashard.max_tokens'), /max_tokens" is missing \(required by layout "packed"\)/],
  ])('%s is a CorruptArtifactError', (_what, columns, edit, message) => {
    expect(() => decodePlanRankFile(rewrite(bytes, edit, columns), 'r0')).toThrow(CorruptArtifactError);
    expect(() => decodePlanRankFile(rewrite(bytes, edit, columns), 'r0')).toThrow(message);
  });
});
