/**
 * `megashard pull`: download one rank's shard of one epoch to a local file, verified against the
 * epoch manifest's sha256 and resumable.
 *
 * `fromStep` does not shorten the download. The manifest's sha256 covers the whole file, so only
 * the whole file can be verified, and the trainer resumes inside it by record batch
 * (`reader.get_batch(fromStep - first_step)`): the same verified bytes on every node, no
 * re-encoding. A resumed job usually still has the file, and pulling it again then costs one local
 * hash and no download. `fromStep` is checked against the file's steps and answered with the
 * record batch to start at.
 */
import { InvalidInputError } from '../core/errors.js';
import type { ShardVariant } from '../core/shards/shard-layout.js';
import type { ObjectStore } from '../io/object-store.js';
import { downloadResumable, type DownloadOutcome } from '../io/resumable-download.js';
import { resolveShardFile } from './resolve-shard-file.js';

/** What to pull and where to. */
export interface PullShardOptions {
  /** The run's store (folder or s3://bucket/prefix); shards live under `shards/`. */
  readonly run: ObjectStore;
  readonly epoch: number;
  readonly rank: number;
  readonly variant?: ShardVariant;
  /** The step the trainer resumes at (checked; see the module comment). */
  readonly fromStep?: number;
  /** Local file to write. */
  readonly out: string;
  readonly bytesPerRead?: number;
  readonly readsInFlight?: number;
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** The pulled file and how the pull went (printed by the CLI as JSON). */
export interface PullShardResult extends DownloadOutcome {
  readonly out: string;
  readonly source: string;
  readonly epoch: number;
  readonly rank: number;
  readonly variant: ShardVariant;
  readonly bytes: number;
  readonly sha256: string;
  readonly firstStep: number;
  readonly steps: number;
  /** Present with `fromStep`: the step, and the record batch holding it (`fromStep - firstStep`). */
  readonly fromStep?: number;
  readonly fromRecordBatch?: number;
}

/** Resolve the shard in its epoch manifest, then download and verify it (see the module comment). */
export async function pullShard(options: PullShardOptions): Promise<PullShardResult> {
  const { run, epoch, rank, variant = 'tokens', fromStep } = options;
  const resolved = await resolveShardFile(run, { epoch, rank, variant });
  const { firstStep, steps } = resolved.entry;
  if (fromStep !== undefined && (!Number.isSafeInteger(fromStep) || fromStep < firstStep || fromStep >= firstStep + steps)) {
    throw new InvalidInputError('fromStep', `is ${fromStep}; epoch ${epoch} rank ${rank} has steps ${firstStep}–${firstStep + steps - 1}`);
  }
  const outcome = await downloadResumable({
    store: run,
    key: resolved.key,
    out: options.out,
    bytes: resolved.entry.bytes,
    sha256: resolved.entry.sha256,
    label: `epoch ${epoch} rank ${rank} ${variant} shard ${resolved.label}`,
    ...(options.bytesPerRead === undefined ? {} : { bytesPerRead: options.bytesPerRead }),
    ...(options.readsInFlight === undefined ? {} : { readsInFlight: options.readsInFlight }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  return {
    out: options.out,
    source: resolved.label,
    epoch,
    rank,
    variant,
    bytes: resolved.entry.bytes,
    sha256: resolved.entry.sha256,
    firstStep,
    steps,
    ...(fromStep === undefined ? {} : { fromStep, fromRecordBatch: fromStep - firstStep }),
    ...outcome,
  };
}
