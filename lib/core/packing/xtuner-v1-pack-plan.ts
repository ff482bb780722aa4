import { packedShardSpecSchema, xtunerSoftPackBlockSchema, type XtunerSoftPackShardSpec } from '../spec/packing-spec.js';
import { assertEpoch } from '../strategies/blocks/assert-epoch.js';
import type { PackedEpochPlan } from './packed-epoch-plan.js';
import type { FlatPacks } from './pack-list.js';
import type { PackingStrategy } from './packing-strategy.js';
import { XTUNER_V1_PACK_LENGTH_GROUPED_ID, xtunerPackSampler, type XtunerPackSamplerOutput } from './xtuner-pack-sampler.js';
import { DEFAULT_PROXY_FLOPS_WEIGHTS, pythonRound, xtunerProxyFlops } from './xtuner-proxy-flops.js';
import { XTUNER_V1_SOFT_PACK_ID, xtunerSoftPack } from './xtuner-soft-pack.js';

/**
 * XTuner V1's default pipeline as a plan: ExpandSoftPackDataset packs the samples once (seeded by
 * the spec's seed, the same packs every epoch, as XTuner builds its dataset once), then the
 * pack-level LengthGroupedSampler orders them for the epoch (`seed + epoch`), one pack per rank
 * per step. Text weights only (llm_pack_weight 1, visual_pack_weight 0: XTuner's defaults).
 */
export function planXtunerV1SoftPack(totalTokens: Int32Array, spec: XtunerSoftPackShardSpec, epoch: number): PackedEpochPlan {
  assertEpoch(epoch);
  const proxyFlops = xtunerProxyFlops(totalTokens, null, DEFAULT_PROXY_FLOPS_WEIGHTS);
  const { maxTokens, extraBufferSize, chunkSize } = spec.packing;
  const packs = xtunerSoftPack(totalTokens, proxyFlops, {
    packMaxLength: maxTokens,
    globalPack: true,
    extraBufferSize,
    chunkSize,
    seed: spec.seed,
    datasetSizes: [totalTokens.length],
  });
  const order = xtunerPackSampler(packs.packLongest, {
    worldSize: spec.worldSize,
    globalBatchSize: spec.packing.globalBatchSize ?? spec.worldSize,
    seed: spec.seed,
    epoch,
    roundUp: spec.packing.roundUp,
    step: 0,
  });
  return expandPackOrder(packs, order, spec.worldSize, maxTokens, epoch);
}

/**
 * Any pack list ordered into steps as XTuner V1's pack-level LengthGroupedSampler would order it
 * (key: the truncated Σ of its members' round(L/128)², global batch W, round_up): the comparison
 * `bench plan --packing` draws against balanced-pack@1's own step layout on the same packs.
 */
export function orderPacksLikeXtunerV1(
  packs: FlatPacks,
  totalTokens: Int32Array,
  worldSize: number,
  seed: bigint,
  epoch: number,
  maxTokens: number,
): PackedEpochPlan {
  const count = packs.packStarts.length - 1;
  const longest = new Float64Array(count);
  for (let p = 0; p < count; p++) {
    let flops = 0;
    for (let j = packs.packStarts[p]!; j < packs.packStarts[p + 1]!; j++) {
      const blocks = pythonRound(totalTokens[packs.members[j]!]! / 128);
      flops += blocks * blocks;
    }
    longest[p] = Math.trunc(flops);
  }
  const order = xtunerPackSampler(longest, { worldSize, globalBatchSize: worldSize, seed, epoch, roundUp: true, step: 0 });
  return { ...expandPackOrder(packs, order, worldSize, maxTokens, epoch), strategyId: XTUNER_V1_PACK_LENGTH_GROUPED_ID };
}

/** Every rank's pack list as sample rows: one pack per step, a repeated pack's rows flagged as padding. */
function expandPackOrder(packs: FlatPacks, order: XtunerPackSamplerOutput, worldSize: number, maxTokens: number, epoch: number): PackedEpochPlan {
  const stepCount = order.sizes.numSamples;
  let rows = 0;
  for (const pack of order.sampleIds) rows += packs.packStarts[pack + 1]! - packs.packStarts[pack]!;
  const sampleIds = new Int32Array(rows);
  const isPadding = new Uint8Array(rows);
  const stepStarts = new Float64Array(worldSize * stepCount + 1);
  let at = 0;
  for (let k = 0; k < order.sampleIds.length; k++) {
    stepStarts[k] = at;
    const pack = order.sampleIds[k]!;
    const members = packs.members.subarray(packs.packStarts[pack], packs.packStarts[pack + 1]);
    sampleIds.set(members, at);
    if (order.isPadding[k]) isPadding.fill(1, at, at + members.length);
    at += members.length;
  }
  stepStarts[worldSize * stepCount] = at;
  const rankStarts = Float64Array.from({ length: worldSize + 1 }, (_, r) => stepStarts[r * stepCount]!);
  return {
    strategyId: XTUNER_V1_SOFT_PACK_ID,
    epoch,
    worldSize,
    maxTokens,
    stepCount,
    sampleIds,
    isPadding,
    rankStarts,
    stepStarts,
    packStarts: stepStarts,
    rejectedIds: new Int32Array(0),
    rejectedReasons: new Uint8Array(0),
  };
}

/** xtuner-v1-soft-pack@1 as a registered packing strategy. */
export const xtunerV1SoftPackStrategy: PackingStrategy<XtunerSoftPackShardSpec> = {
  id: XTUNER_V1_SOFT_PACK_ID,
  summary: "XTuner V1 parity: ExpandSoftPackDataset's packs (numpy 1.24 tie order), ordered by its pack-level LengthGroupedSampler.",
  orderId: XTUNER_V1_PACK_LENGTH_GROUPED_ID,
  specSchema: packedShardSpecSchema(xtunerSoftPackBlockSchema),
  planPackedEpoch: (input, spec, epoch) => planXtunerV1SoftPack(input.totalTokens, spec, epoch),
};
