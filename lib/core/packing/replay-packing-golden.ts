import type { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';
import { packCount, packMembers, type PackList } from './pack-list.js';
import { xtunerProxyFlops, type ImageTokenLists } from './xtuner-proxy-flops.js';
import { xtunerSoftPack } from './xtuner-soft-pack.js';
import { xtunerHardPack } from './xtuner-hard-pack.js';
import { xtunerPackSampler } from './xtuner-pack-sampler.js';
import {
  goldenHeaderSchema,
  hardPackFileSchema,
  packSamplerFileSchema,
  softPackFileSchema,
  type HardPackFile,
  type PackSamplerFile,
  type SoftPackFile,
} from './packing-golden-schema.js';

/** What `megashard sampler-replay` prints for a packing or pack-sampler golden file. */
export type PackingReplay =
  | { readonly packs: number[][]; readonly pack_longest: number[] }
  | { readonly packs: number[][]; readonly pack_longest: number[]; readonly start_offset: number[]; readonly end_offset: number[] }
  | { readonly ranks: number[][]; readonly global_order: number[] };

const SOFT_ENTRY = 'ExpandSoftPackDataset';
const HARD_ENTRY = 'HardPackDataset';
const SAMPLER_ENTRY = 'LengthGroupedSampler';

/**
 * Replay an XTuner V1 golden file (../shared/golden/packing/) from its inputs alone: a packing
 * file gives `{packs, pack_longest}` (hard packing adds `start_offset`, `end_offset`), a sampler
 * file `{ranks, global_order}`. Untrusted JSON is validated; errors name the field under `where`.
 */
export function replayPackingGolden(file: unknown, where = 'golden'): PackingReplay {
  const header = parseWith(goldenHeaderSchema, file, where);
  const entry = header.anchor.entry;
  if (header.kind === 'sampler') {
    if (entry !== SAMPLER_ENTRY) throw new InvalidInputError(`${where}.anchor.entry`, `is "${entry}"; a sampler file replays "${SAMPLER_ENTRY}"`);
    return replaySampler(parseWith(packSamplerFileSchema, file, where));
  }
  if (entry === SOFT_ENTRY) return replaySoft(parseWith(softPackFileSchema, file, where), where);
  if (entry === HARD_ENTRY) return replayHard(parseWith(hardPackFileSchema, file, where));
  throw new InvalidInputError(`${where}.anchor.entry`, `is "${entry}"; a packing file replays "${SOFT_ENTRY}" or "${HARD_ENTRY}"`);
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error);
  return parsed.data;
}

function replaySoft(file: SoftPackFile, where: string): PackingReplay {
  const { params } = file;
  const numTokens = Int32Array.from(file.num_tokens);
  const weights = { llmPackWeight: params.llm_pack_weight, visualPackWeight: params.visual_pack_weight, flashAttnBlockSize: params.flash_attn_block_size };
  const flops = xtunerProxyFlops(numTokens, imageTokenLists(file.num_img_tokens, numTokens.length, where), weights);
  if (file.proxy_attn_flops) assertSameFlops(file.proxy_attn_flops, flops, where);
  const list = xtunerSoftPack(numTokens, flops, {
    packMaxLength: params.pack_max_length,
    globalPack: params.global_pack,
    extraBufferSize: params.pack_extra_buffer_size,
    chunkSize: params.pack_chunk_size,
    seed: params.seed,
    datasetSizes: params.dataset_sizes ?? [numTokens.length],
  });
  return { packs: packsAsLists(list), pack_longest: Array.from(list.packLongest) };
}

function replayHard(file: HardPackFile): PackingReplay {
  const { params } = file;
  const list = xtunerHardPack(Int32Array.from(file.num_tokens), {
    packMaxLength: params.pack_max_length,
    globalPack: params.global_pack,
    seed: params.seed,
    datasetSizes: params.dataset_sizes ?? [file.num_tokens.length],
  });
  return {
    packs: packsAsLists(list),
    pack_longest: Array.from(list.packLongest),
    start_offset: Array.from(list.startOffset),
    end_offset: Array.from(list.endOffset),
  };
}

function replaySampler(file: PackSamplerFile): PackingReplay {
  const { params } = file;
  const out = xtunerPackSampler(file.max_lengths, {
    worldSize: params.world_size,
    globalBatchSize: params.global_batch_size,
    seed: params.seed,
    epoch: params.epoch,
    roundUp: params.round_up,
    step: params.step,
  });
  const ranks = Array.from({ length: params.world_size }, (_, r) => Array.from(out.sampleIds.subarray(out.rankStarts[r], out.rankStarts[r + 1])));
  return { ranks, global_order: Array.from(out.globalOrder) };
}

function imageTokenLists(lists: number[][] | undefined, sampleCount: number, where: string): ImageTokenLists | null {
  if (!lists) return null;
  if (lists.length !== sampleCount) {
    throw new InvalidInputError(
      `${where}.num_img_tokens`,
      `has ${lists.length} entries for ${sampleCount} samples; give one list per sample ([0] for text only)`,
    );
  }
  const starts = new Int32Array(sampleCount + 1);
  lists.forEach((list, i) => (starts[i + 1] = starts[i]! + list.length));
  return { counts: Float64Array.from(lists.flat()), starts };
}

/** A file that carries XTuner's flops must agree with ours: a mismatch means other weights or formula. */
function assertSameFlops(given: number[], ours: Float64Array, where: string): void {
  if (given.length !== ours.length) {
    throw new InvalidInputError(`${where}.proxy_attn_flops`, `has ${given.length} entries for ${ours.length} samples`);
  }
  const i = given.findIndex((value, k) => value !== ours[k]);
  if (i >= 0) {
    throw new InvalidInputError(
      `${where}.proxy_attn_flops[${i}]`,
      `is ${given[i]}, but XTuner's formula gives ${ours[i]} from num_tokens and num_img_tokens; check llm_pack_weight, visual_pack_weight and flash_attn_block_size`,
    );
  }
}

function packsAsLists(list: PackList): number[][] {
  return Array.from({ length: packCount(list) }, (_, k) => Array.from(packMembers(list, k)));
}
