/**
 * Reading one rank's shard files of an epoch for the audit: every listed variant fetched, its size
 * and sha256 checked against the epoch manifest, decoded, and the variants compared. Problems are
 * returned as messages (the audit reports them all), never thrown: one bad file must not hide the
 * state of the other 1,023.
 */
import { readShardColumns, type ShardColumns } from '../../arrow/index.js';
import type { RankShardColumns } from '../../core/audit/rank-shard-columns.js';
import { MegashardError } from '../../core/errors.js';
import { sha256Hex } from '../../core/fingerprint.js';
import { SHARDS_PREFIX } from '../../core/shards/shard-layout.js';
import type { ShardFileEntry } from '../../core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { checkPackedTokens, type PackedTokenFindings } from '../../core/audit/packed-tokens.js';
import { packStartsOfColumn } from '../../core/shards/packed-rank-layout.js';

/** Where a packed rank's token-level findings go (the audit partial's lists), and the place they name. */
export interface PackedTokenSink {
  readonly epoch: number;
  readonly rank: number;
  readonly found: PackedTokenFindings;
}

/** A problem with one of the rank's files; `step` when it is known. */
export interface RankProblem {
  readonly step: number | null;
  readonly message: string;
}

/** What reading a rank's files gave: the columns to audit (null when no file could be used), and every problem found. */
export interface RankRead {
  readonly columns: RankShardColumns | null;
  readonly problems: RankProblem[];
  readonly filesVerified: number;
  readonly bytes: number;
}

/**
 * Read the rank's files listed in `entries` (tokens and/or index variant). The index variant is
 * audited when present (it is small); the tokens variant's shared columns must equal it row for row.
 */
export async function readRankForAudit(
  run: ObjectStore,
  entries: readonly ShardFileEntry[],
  planFingerprint: string,
  packedTokens?: PackedTokenSink,
): Promise<RankRead> {
  const problems: RankProblem[] = [];
  let filesVerified = 0;
  let bytes = 0;
  const decoded = new Map<string, ShardColumns>();
  for (const entry of [...entries].sort((a, b) => (a.variant === 'index' ? -1 : b.variant === 'index' ? 1 : 0))) {
    const file = await readVerified(run, entry, problems);
    if (file === null) continue;
    filesVerified++;
    bytes += file.bytes.length;
    const columns = decodeOrReport(file.bytes, file.where, entry, problems);
    if (columns === null) continue;
    if (columns.metadata.planFingerprint !== planFingerprint) {
      problems.push({
        step: null,
        message: `${entry.key}: made for plan ${columns.metadata.planFingerprint.slice(0, 12)}…; the shards manifest names plan ${planFingerprint.slice(0, 12)}…`,
      });
    }
    decoded.set(entry.variant, columns);
    // The token bytes are here and nowhere else in the audit: check a packed shard's tokens now.
    if (packedTokens !== undefined && columns.tokens?.positionIds !== undefined && columns.pack !== undefined) checkTokens(columns, packedTokens);
  }
  const primary = decoded.get('index') ?? decoded.get('tokens');
  const tokens = decoded.get('tokens');
  if (primary !== undefined && tokens !== undefined && tokens !== primary) {
    const difference = firstDifference(primary, tokens);
    if (difference !== null) problems.push({ step: difference.step, message: `the tokens and index variants disagree: ${difference.what}` });
  }
  return { columns: primary === undefined ? null : toRankColumns(primary), problems, filesVerified, bytes };
}

async function readVerified(run: ObjectStore, entry: ShardFileEntry, problems: RankProblem[]): Promise<{ bytes: Uint8Array; where: string } | null> {
  const key = joinKey(SHARDS_PREFIX, entry.key);
  const where = `${run.location}/${key}`;
  let bytes: Uint8Array;
  try {
    bytes = await run.get(key);
  } catch (error) {
    if (error instanceof MegashardError && error.name === 'ObjectNotFound') {
      problems.push({ step: null, message: `${entry.key}: listed in the epoch manifest but missing` });
      return null;
    }
    throw error;
  }
  if (bytes.length !== entry.bytes) problems.push({ step: null, message: `${entry.key}: ${bytes.length} bytes; the manifest says ${entry.bytes}` });
  const sha256 = sha256Hex(bytes);
  if (sha256 !== entry.sha256)
    problems.push({
      step: null,
      message: `${entry.key}: sha256 ${sha256} does not match the manifest's ${entry.sha256} (the file changed after it was listed)`,
    });
  return { bytes, where };
}

/** Decode a file; a file that does not decode, or contradicts its manifest entry, is a problem. */
function decodeOrReport(bytes: Uint8Array, where: string, entry: ShardFileEntry, problems: RankProblem[]): ShardColumns | null {
  let columns: ShardColumns;
  try {
    columns = readShardColumns(bytes, where);
  } catch (error) {
    if (!(error instanceof MegashardError)) throw error;
    problems.push({ step: null, message: `${entry.key}: ${error.message.startsWith(where) ? error.message.slice(where.length + 2) : error.message}` });
    return null;
  }
  const steps = columns.stepStarts.length - 1;
  const facts: [string, number, number][] = [
    ['steps', steps, entry.steps],
    ['entries', columns.sampleIds.length, entry.entries],
    ['firstStep', columns.metadata.firstStep, entry.firstStep],
  ];
  for (const [name, actual, listed] of facts) {
    if (actual !== listed) problems.push({ step: null, message: `${entry.key}: ${name} is ${actual}; the manifest says ${listed}` });
  }
  return columns;
}

/** The first row (by step) where two variants of a rank's shard differ, or null. */
function firstDifference(a: ShardColumns, b: ShardColumns): { step: number | null; what: string } | null {
  if (a.stepStarts.length !== b.stepStarts.length || a.sampleIds.length !== b.sampleIds.length) {
    return { step: null, what: `${a.stepStarts.length - 1} vs ${b.stepStarts.length - 1} steps, ${a.sampleIds.length} vs ${b.sampleIds.length} rows` };
  }
  const columns = ['sampleIds', 'lengths', 'totalTokens', 'trainableTokens', 'modality', 'isPadding'] as const;
  for (const name of columns) {
    const [x, y] = [a[name], b[name]];
    for (let p = 0; p < x.length; p++) {
      if (x[p] !== y[p]) return { step: stepOf(a, p), what: `${name} of row ${p}: ${x[p]} (index) vs ${y[p]} (tokens)` };
    }
  }
  for (let k = 0; k < a.stepStarts.length; k++) {
    if (a.stepStarts[k] !== b.stepStarts[k])
      return { step: a.metadata.firstStep + k, what: `the record batch starts at row ${a.stepStarts[k]} vs ${b.stepStarts[k]}` };
  }
  return null;
}

function stepOf(columns: ShardColumns, row: number): number {
  let k = 0;
  while (columns.stepStarts[k + 1]! <= row) k++;
  return columns.metadata.firstStep + k;
}

function checkTokens(columns: ShardColumns, sink: PackedTokenSink): void {
  const tokens = columns.tokens!;
  checkPackedTokens(
    {
      epoch: sink.epoch,
      rank: sink.rank,
      firstStep: columns.metadata.firstStep,
      stepStarts: columns.stepStarts,
      packStarts: packStartsOfColumn(columns.pack!, columns.stepStarts),
      sampleIds: columns.sampleIds,
      totalTokens: columns.totalTokens,
      tokenOffsets: tokens.tokenOffsets,
      inputIds: tokens.inputIds,
      labels: tokens.labels,
      positionIds: tokens.positionIds!,
      imageOffsets: tokens.imageOffsets,
      imageTokens: tokens.imageTokens,
    },
    sink.found,
  );
}

/** The audit's view of a decoded shard (the record ids and tokens are not needed). */
function toRankColumns(columns: ShardColumns): RankShardColumns {
  const { metadata } = columns;
  return {
    facts: {
      epoch: metadata.epoch,
      rank: metadata.rank,
      worldSize: metadata.worldSize,
      microBatchSize: metadata.microBatchSize,
      firstStep: metadata.firstStep,
    },
    stepStarts: columns.stepStarts,
    sampleIds: columns.sampleIds,
    lengths: columns.lengths,
    totalTokens: columns.totalTokens,
    trainableTokens: columns.trainableTokens,
    modality: columns.modality,
    isPadding: columns.isPadding,
    ...(columns.pack ? { packStarts: packStartsOfColumn(columns.pack, columns.stepStarts) } : {}),
  };
}
