/**
 * A shard file read in place (a folder or a bucket) through ranged reads: the footer gives the
 * metadata and one block per step, and micro-batches from any step on are fetched and decoded
 * without reading the steps before it.
 */
import { CorruptArtifactError } from '../core/errors.js';
import type { ObjectStore } from '../io/object-store.js';
import { DEFAULT_MAX_BYTES_PER_READ, openRangedArrowFile, type OpenRangedArrowFileOptions, type RangedArrowFile } from './ipc-ranged-reader.js';
import { parseArrowMetadata } from './ipc-read.js';
import { decodeShardRecordBatch, type ShardMicroBatch } from './shard-read.js';
import { SHARD_KIND, shardFields, shardMetadataSchema, type ShardMetadata } from './shard-schema.js';

/** An opened shard: its validated metadata, and its micro-batches on demand. */
export interface RangedShardFile {
  readonly label: string;
  readonly bytes: number;
  readonly metadata: ShardMetadata;
  /**
   * Micro-batches of steps [fromStep, first_step + steps), in order; consecutive steps are fetched
   * together in ranged reads of at most `maxBytesPerRead`. Nothing before `fromStep` is read.
   */
  readMicroBatches(fromStep?: number, maxBytesPerRead?: number): AsyncGenerator<ShardMicroBatch>;
}

/**
 * Open a shard file by its footer: metadata through zod, the columns its kind promises, and one
 * record batch per declared step, or CorruptArtifactError naming the file.
 */
/** Bytes a shard's footer takes, generously: the schema with its metadata, then 24 bytes per step's block. */
export function shardFooterBytesEstimate(steps: number): number {
  return 8192 + 24 * steps;
}

export async function openRangedShardFile(store: ObjectStore, key: string, options: OpenRangedArrowFileOptions = {}): Promise<RangedShardFile> {
  const file = await openRangedArrowFile(store, key, options);
  const metadata = parseArrowMetadata(file.schema.metadata, shardMetadataSchema, file.label);
  const expected = shardFields(metadata.kind === SHARD_KIND, metadata.packing !== null)
    .map((f) => f.name)
    .join(', ');
  const names = file.schema.fields.map((f) => f.name).join(', ');
  if (names !== expected) throw new CorruptArtifactError(file.label, `has columns [${names}]; a "${metadata.kind}" file has [${expected}]`);
  if (file.numRecordBatches !== metadata.steps) {
    throw new CorruptArtifactError(
      file.label,
      `has ${file.numRecordBatches} record batches; metadata "megashard.steps" says ${metadata.steps} (one batch per step)`,
    );
  }
  return {
    label: file.label,
    bytes: file.bytes,
    metadata,
    readMicroBatches: (fromStep = metadata.firstStep, maxBytesPerRead = DEFAULT_MAX_BYTES_PER_READ) =>
      readMicroBatches(file, metadata, fromStep, maxBytesPerRead),
  };
}

async function* readMicroBatches(file: RangedArrowFile, metadata: ShardMetadata, fromStep: number, maxBytesPerRead: number): AsyncGenerator<ShardMicroBatch> {
  const end = metadata.firstStep + metadata.steps;
  if (!Number.isSafeInteger(fromStep) || fromStep < metadata.firstStep || fromStep > end) {
    throw new RangeError(`${file.label}: step ${fromStep} is outside the file's steps [${metadata.firstStep}, ${end}]`);
  }
  let step = fromStep;
  for await (const batch of file.readRecordBatches(fromStep - metadata.firstStep, metadata.steps, maxBytesPerRead)) {
    yield decodeShardRecordBatch(batch, step, file.label);
    step += 1;
  }
}
