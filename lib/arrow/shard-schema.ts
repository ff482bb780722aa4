/**
 * The shard file's columns, metadata keys and the types both sides of the format share: the
 * encoder (shard-file.ts) and the readers (shard-read.ts) take them from here, so a column can
 * never be written under one type and read under another.
 */
import { Bool, Field, Int32, List, Uint8, Utf8, type DataType } from 'apache-arrow';
import { z } from 'zod';
import type { Utf8Column } from '../core/index/length-index.js';
import { shardPackingSchema, type ShardPacking } from '../core/shards/shard-packing.js';
import { metadataDecimal, missingOr } from './ipc-read.js';

/** `megashard.kind` of a shard with tokens. */
export const SHARD_KIND = 'shard';
/** `megashard.kind` of an index-only shard (ids and lengths, no tokens). */
export const SHARD_INDEX_KIND = 'shard-index';
/** `megashard.format_version` written and accepted; any change of columns or meaning bumps it. */
export const SHARD_FORMAT_VERSION = '1';
/**
 * `megashard.format_version` of a packed shard (steps of whole packs): version 1's columns plus
 * `pack`, and `position_ids` in the tokens variant; labels masked at pack boundaries; metadata
 * `megashard.packing`. Unpacked plans are still written as version 1, byte for byte.
 */
export const SHARD_PACKED_FORMAT_VERSION = '2';

const int32List = () => new List(new Field('item', new Int32(), false));

/** Columns of both variants, in file order. */
export const SHARD_INDEX_FIELDS: readonly Field[] = [
  new Field('sample_id', new Int32(), false),
  new Field('record_id', new Utf8(), false),
  new Field('length', new Int32(), false),
  new Field('total_tokens', new Int32(), false),
  new Field('trainable_tokens', new Int32(), false),
  new Field('modality', new Uint8(), false),
  new Field('is_padding', new Bool(), false),
];

/** Columns only the tokens variant has, after the index columns. */
export const SHARD_TOKEN_FIELDS: readonly Field[] = [
  new Field('input_ids', int32List(), false),
  new Field('labels', int32List(), false),
  new Field('images', new List(new Field('item', new Utf8(), false)), false),
  new Field('image_tokens', int32List(), false),
];

/** The column a packed shard adds after `is_padding`: each row's pack within its step. */
export const SHARD_PACK_FIELD = new Field('pack', new Int32(), false);
/** The column a packed tokens shard adds after `labels`. */
export const SHARD_POSITION_FIELD = new Field('position_ids', int32List(), false);

/** Every column of a shard of this kind, packed or not, in file order. */
export function shardFields(hasTokens: boolean, packed: boolean): Field[] {
  const index = packed ? [...SHARD_INDEX_FIELDS, SHARD_PACK_FIELD] : [...SHARD_INDEX_FIELDS];
  if (!hasTokens) return index;
  if (!packed) return [...index, ...SHARD_TOKEN_FIELDS];
  const [inputIds, labels, ...rest] = SHARD_TOKEN_FIELDS;
  return [...index, inputIds!, labels!, SHARD_POSITION_FIELD, ...rest];
}

/** The Arrow type of a shard column, by name. */
export function shardFieldType(name: string): DataType {
  return shardFields(true, true).find((f) => f.name === name)!.type;
}

export { shardPackingSchema, type ShardPacking };

/** What a shard file says about itself, apart from its kind, version and step count. */
export interface ShardMeta {
  /** `plan/manifest.json` → runFingerprint: the plan these shards materialise. */
  readonly planFingerprint: string;
  readonly indexFingerprint: string;
  /** The tokenizer that made the tokens; '' when the index was not built by tokenizing. */
  readonly tokenizerFingerprint: string;
  readonly strategyId: string;
  readonly epoch: number;
  readonly rank: number;
  readonly worldSize: number;
  readonly microBatchSize: number;
  readonly gradientAccumulation: number;
  /** Step of the first record batch: 0, or k for a plan resumed at step k. */
  readonly firstStep: number;
  /** Present for a packed plan: the file is format version 2. */
  readonly packing?: ShardPacking | null;
}

/** A rank's rows in iteration order (row p is at step firstStep + floor(p / microBatchSize)). */
export interface ShardRows {
  /** Rows of the length index. */
  readonly sampleIds: Int32Array;
  readonly recordIds: Utf8Column;
  /** Signed length the plan used (negative = text-only). */
  readonly lengths: Int32Array;
  readonly totalTokens: Int32Array;
  readonly trainableTokens: Int32Array;
  readonly modality: Uint8Array;
  /** 1 where the entry is declared padding, else 0. */
  readonly isPadding: Uint8Array;
  /** Packed shards only: each row's pack number within its step. */
  readonly pack?: Int32Array;
  /** Present for the tokens variant only. */
  readonly tokens?: ShardTokenColumns;
}

/** The token columns of a shard's rows: flat values cut by n + 1 offsets (no per-row arrays). */
export interface ShardTokenColumns {
  /** Row p's input_ids and labels are [tokenOffsets[p], tokenOffsets[p+1]). */
  readonly tokenOffsets: Int32Array;
  readonly inputIds: Int32Array;
  readonly labels: Int32Array;
  /** Packed shards only: positions restarting at 0 per sample, counted after image expansion (packed-token-columns.ts). */
  readonly positionIds?: Int32Array;
  /** Row p's images (and their image_tokens) are image rows [imageOffsets[p], imageOffsets[p+1]). */
  readonly imageOffsets: Int32Array;
  readonly images: Utf8Column;
  readonly imageTokens: Int32Array;
}

const decimal = metadataDecimal;
const text = (min: number) => z.string({ error: missingOr('must be a string') }).min(min, { error: 'is empty' });

/** zod schema of a shard file's schema metadata (all values are strings in Arrow). */
export const shardMetadataSchema = z
  .object({
    'megashard.kind': z.enum([SHARD_KIND, SHARD_INDEX_KIND], {
      error: missingOr(`must be "${SHARD_KIND}" or "${SHARD_INDEX_KIND}" (is this a shard file?)`),
    }),
    'megashard.format_version': z.enum([SHARD_FORMAT_VERSION, SHARD_PACKED_FORMAT_VERSION], {
      error: missingOr(
        `must be "${SHARD_FORMAT_VERSION}" or "${SHARD_PACKED_FORMAT_VERSION}"; the file was written by another format version: rewrite the shards with this megashard`,
      ),
    }),
    'megashard.packing': z.string().optional(),
    'megashard.plan_fingerprint': text(1),
    'megashard.index_fingerprint': text(1),
    'megashard.tokenizer_fingerprint': text(0),
    'megashard.strategy_id': text(1),
    'megashard.epoch': decimal(0),
    'megashard.rank': decimal(0),
    'megashard.world_size': decimal(1),
    'megashard.micro_batch_size': decimal(1),
    'megashard.gradient_accumulation': decimal(1),
    'megashard.first_step': decimal(0),
    'megashard.steps': decimal(0),
  })
  .refine((m) => m['megashard.rank'] < m['megashard.world_size'], { error: 'must be below megashard.world_size', path: ['megashard.rank'] })
  .refine((m) => (m['megashard.format_version'] === SHARD_PACKED_FORMAT_VERSION) === (m['megashard.packing'] !== undefined), {
    error: `is present exactly when megashard.format_version is "${SHARD_PACKED_FORMAT_VERSION}" (a packed shard)`,
    path: ['megashard.packing'],
  })
  .refine((m) => m['megashard.packing'] === undefined || parsePacking(m['megashard.packing']) !== null, {
    error: 'must be the JSON of {maxTokens, maxImagesPerPack, overLength, costLinearWeight}',
    path: ['megashard.packing'],
  })
  .transform((m) => ({
    kind: m['megashard.kind'],
    formatVersion: m['megashard.format_version'],
    planFingerprint: m['megashard.plan_fingerprint'],
    indexFingerprint: m['megashard.index_fingerprint'],
    tokenizerFingerprint: m['megashard.tokenizer_fingerprint'],
    strategyId: m['megashard.strategy_id'],
    epoch: m['megashard.epoch'],
    rank: m['megashard.rank'],
    worldSize: m['megashard.world_size'],
    microBatchSize: m['megashard.micro_batch_size'],
    gradientAccumulation: m['megashard.gradient_accumulation'],
    firstStep: m['megashard.first_step'],
    steps: m['megashard.steps'],
    packing: m['megashard.packing'] === undefined ? null : parsePacking(m['megashard.packing'])!,
  }));

function parsePacking(text: string): ShardPacking | null {
  try {
    const parsed = shardPackingSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Validated schema metadata of a shard file. */
export type ShardMetadata = z.output<typeof shardMetadataSchema>;

/** The metadata map written into a shard file, in a fixed key order (same inputs → same bytes). */
export function shardMetadataMap(meta: ShardMeta, hasTokens: boolean, steps: number): Map<string, string> {
  return new Map([
    ['megashard.kind', hasTokens ? SHARD_KIND : SHARD_INDEX_KIND],
    ['megashard.format_version', meta.packing ? SHARD_PACKED_FORMAT_VERSION : SHARD_FORMAT_VERSION],
    ['megashard.plan_fingerprint', meta.planFingerprint],
    ['megashard.index_fingerprint', meta.indexFingerprint],
    ['megashard.tokenizer_fingerprint', meta.tokenizerFingerprint],
    ['megashard.strategy_id', meta.strategyId],
    ['megashard.epoch', String(meta.epoch)],
    ['megashard.rank', String(meta.rank)],
    ['megashard.world_size', String(meta.worldSize)],
    ['megashard.micro_batch_size', String(meta.microBatchSize)],
    ['megashard.gradient_accumulation', String(meta.gradientAccumulation)],
    ['megashard.first_step', String(meta.firstStep)],
    ['megashard.steps', String(steps)],
    ...(meta.packing ? [['megashard.packing', packingJson(meta.packing)] as [string, string]] : []),
  ]);
}

/** Canonical JSON of the packing facts (fixed key order: same meta → same bytes). */
export function packingJson(packing: ShardPacking): string {
  const { maxTokens, maxImagesPerPack, overLength, costLinearWeight } = packing;
  return JSON.stringify({ maxTokens, maxImagesPerPack, overLength, costLinearWeight });
}
