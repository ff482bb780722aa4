import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { parseBalancedPackSpec, type BalancedPackSpec } from '../../lib/core/packing/balanced-pack-spec.js';
import { planBalancedPack } from '../../lib/core/packing/plan-balanced-pack.js';
import { resumePackedPlanAt } from '../../lib/core/packing/resume-packed-plan.js';
import { PACK_REJECT_REASONS } from '../../lib/core/packing/pack-samples.js';
import { replayPackingGolden } from '../../lib/core/packing/replay-packing-golden.js';
import { xtunerPackSampler } from '../../lib/core/packing/xtuner-pack-sampler.js';

/** Run `action` and return the InvalidInputError it must throw. */
function invalidInput(action: () => unknown): InvalidInputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

const valid = { maxTokens: 100, worldSize: 2, seed: 5 };

describe('balanced-pack@1 bad input', () => {
  it.each([
    ['maxTokens', { maxTokens: 0 }, 'packing.maxTokens: must be ≥ 1'],
    ['maxTokens', { maxTokens: 2.5 }, 'packing.maxTokens: must be an integer ≥ 1'],
    ['maxImagesPerPack', { maxImagesPerPack: 0 }, 'packing.maxImagesPerPack: must be ≥ 1'],
    ['worldSize', { worldSize: 0 }, 'packing.worldSize: must be ≥ 1'],
    ['megaBatchSamples', { megaBatchSamples: -3 }, 'packing.megaBatchSamples: must be ≥ 1'],
    ['costLinearWeight', { costLinearWeight: -1 }, 'packing.costLinearWeight: must be ≥ 0'],
  ])('%s: %j is an InvalidInputError naming the field', (field, patch, message) => {
    const error = invalidInput(() => parseBalancedPackSpec({ ...valid, ...patch }));
    expect(error.field).toBe(`packing.${field}`);
    expect(error.message).toBe(message);
  });

  it('a hand-built spec is validated too (no silently over-budget packs)', () => {
    const spec = { ...parseBalancedPackSpec(valid), maxTokens: 0 } as BalancedPackSpec;
    expect(invalidInput(() => planBalancedPack(Int32Array.of(5), null, spec, 0)).message).toBe('packing.maxTokens: must be ≥ 1');
  });

  it('an unknown option is named', () => {
    expect(invalidInput(() => parseBalancedPackSpec({ ...valid, maxToken: 3 })).message).toContain('maxToken');
  });

  it('a sample without tokens, a short image column and a negative epoch are named', () => {
    const spec = parseBalancedPackSpec(valid);
    expect(invalidInput(() => planBalancedPack(Int32Array.of(5, 6, 7, 0), null, spec, 0)).field).toBe('totalTokens[3]');
    expect(invalidInput(() => planBalancedPack(Int32Array.of(5, 6), Uint16Array.of(1), spec, 0)).field).toBe('numImages');
    expect(invalidInput(() => planBalancedPack(Int32Array.of(5), null, spec, -1)).field).toBe('epoch');
  });

  it('"reject" lists over-limit samples with their reason and packs the rest; "own-pack" packs them alone', () => {
    const tokens = Int32Array.of(40, 150, 60, 30, 100, 90);
    const images = Uint16Array.of(1, 0, 5, 1, 1, 0);
    const rejecting = planBalancedPack(tokens, images, parseBalancedPackSpec({ ...valid, overLength: 'reject', maxImagesPerPack: 3 }), 0);
    expect(Array.from(rejecting.rejectedIds)).toEqual([1, 2]);
    expect(Array.from(rejecting.rejectedReasons, (r) => PACK_REJECT_REASONS[r])).toEqual(['tokens-over-budget', 'images-over-cap']);
    expect(new Set(rejecting.sampleIds)).toEqual(new Set([0, 3, 4, 5]));
    const owning = planBalancedPack(tokens, images, parseBalancedPackSpec({ ...valid, maxImagesPerPack: 3 }), 0);
    expect(owning.rejectedIds.length).toBe(0);
    const packs = Array.from({ length: owning.stepCount * 2 }, (_, i) => Array.from(owning.sampleIds.subarray(owning.stepStarts[i], owning.stepStarts[i + 1])));
    expect(packs).toContainEqual([1]);
    expect(packs).toContainEqual([2]);
  });

  it('resuming outside the epoch says which steps exist', () => {
    const plan = planBalancedPack(Int32Array.of(50, 50, 50, 50), null, parseBalancedPackSpec(valid), 0);
    expect(invalidInput(() => resumePackedPlanAt(plan, plan.stepCount + 1)).message).toMatch(/steps 0\.\.\d+/);
    expect(invalidInput(() => resumePackedPlanAt(resumePackedPlanAt(plan, 1), 0)).field).toBe('fromStep');
  });
});

describe('XTuner V1 golden replay bad input', () => {
  const soft = {
    kind: 'packing',
    anchor: { entry: 'ExpandSoftPackDataset' },
    params: { seed: 1, pack_max_length: 100, global_pack: true },
    num_tokens: [30, 40, 50],
  };

  it('replays a minimal soft file with upstream defaults', () => {
    const replay = replayPackingGolden(soft) as { packs: number[][] };
    expect(replay.packs.flat().sort()).toEqual([0, 1, 2]);
  });

  it.each([
    [{ ...soft, kind: 'argsort' }, 'golden.kind'],
    [{ ...soft, anchor: { entry: 'SoftPackDataset' } }, 'golden.anchor.entry'],
    [{ ...soft, params: { ...soft.params, seed: undefined } }, 'golden.params.seed'],
    [{ ...soft, params: { ...soft.params, pack_max_lenght: 5 } }, 'golden.params'],
    [{ ...soft, num_tokens: [30, 0] }, 'golden.num_tokens.1'],
    [{ ...soft, params: { ...soft.params, dataset_sizes: [2] } }, 'params.dataset_sizes'],
    [{ ...soft, proxy_attn_flops: [0, 0, 1] }, 'golden.proxy_attn_flops[2]'],
    [{ ...soft, anchor: { entry: 'HardPackDataset' }, params: { seed: 2 ** 32 } }, 'params.seed'],
    [
      { kind: 'sampler', anchor: { entry: 'LengthGroupedSampler' }, params: { world_size: 3, global_batch_size: 4, seed: 1 }, max_lengths: [1, 2] },
      'params.global_batch_size',
    ],
  ])('%j names %s', (file, field) => {
    expect(invalidInput(() => replayPackingGolden(file)).field).toBe(field);
  });

  it('a sampler resumed past its total size is refused', () => {
    const params = { worldSize: 2, globalBatchSize: 2, seed: 1n, epoch: 0, roundUp: true, step: 7 };
    expect(invalidInput(() => xtunerPackSampler([1, 2, 3], params)).field).toBe('params.step');
  });
});
