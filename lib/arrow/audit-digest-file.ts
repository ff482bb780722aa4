/**
 * An audit digest: what one audit partial (a section's ranks) hands the audit reduce — each rank's
 * shard columns the epoch-wide checks need (ids, lengths, token counts, modality, padding, record
 * batch offsets and what the file says about itself), never its tokens — plus the partial's own
 * findings as JSON metadata. One row per rank, list columns for its rows.
 */
import { Field, Int32, List, Uint8 } from 'apache-arrow';
import { z } from 'zod';
import type { RankShardColumns } from '../core/audit/rank-shard-columns.js';
import { CorruptArtifactError } from '../core/errors.js';
import { columnAt, decodeFlatColumnsFile, encodeFlatColumnsFile, flatColumnsSchema, type FlatColumnsFormat } from './flat-columns-file.js';
import type { IpcColumn } from './ipc-batch-writer.js';
import { missingOr } from './ipc-read.js';

/** `megashard.kind` of an audit digest. */
export const AUDIT_DIGEST_KIND = 'audit-digest';
/** `megashard.format_version` of audit digests; bump on any change of columns or meaning. */
export const AUDIT_DIGEST_FORMAT_VERSION = '1';

const int32 = (name: string) => new Field(name, new Int32(), false);
const int32List = (name: string) => new Field(name, new List(new Field('item', new Int32(), false)), false);
const FORMAT: FlatColumnsFormat = {
  fields: [
    int32('rank'),
    new Field('usable', new Uint8(), false),
    int32('epoch'),
    int32('claimed_rank'),
    int32('world_size'),
    int32('micro_batch_size'),
    int32('first_step'),
    int32List('step_starts'),
    int32List('sample_ids'),
    int32List('lengths'),
    int32List('total_tokens'),
    int32List('trainable_tokens'),
    // modality | is_padding << 8 | starts a pack << 9 (packed shards): one list where three byte
    // lists would need a list kind the codec lacks.
    int32List('flags'),
  ],
  kinds: ['int32', 'uint8', 'int32', 'int32', 'int32', 'int32', 'int32', 'list-int32', 'list-int32', 'list-int32', 'list-int32', 'list-int32', 'list-int32'],
};

const metadataSchema = z
  .object({
    'megashard.kind': z.literal(AUDIT_DIGEST_KIND, { error: missingOr(`must be "${AUDIT_DIGEST_KIND}"`) }),
    'megashard.format_version': z.literal(AUDIT_DIGEST_FORMAT_VERSION, { error: missingOr(`must be "${AUDIT_DIGEST_FORMAT_VERSION}"`) }),
    'megashard.partial': z.string({ error: missingOr('must be a string') }),
  })
  .transform((m) => ({ partialJson: m['megashard.partial'] }));

/** Bit of a digest flag marking the first row of a pack (packed shards only). */
const PACK_START_FLAG = 1 << 9;

/** A packed rank's pack starts back from its flags; none for a fixed shard (no flag set). */
function packStartsOf(flags: Int32Array): { packStarts?: Int32Array } {
  const starts: number[] = [];
  for (let p = 0; p < flags.length; p++) if (flags[p]! & PACK_START_FLAG) starts.push(p);
  if (starts.length === 0) return {};
  starts.push(flags.length);
  return { packStarts: Int32Array.from(starts) };
}

/** One rank's entry in a digest: its columns, or null when it had no usable file. */
export interface DigestRank {
  readonly rank: number;
  readonly columns: RankShardColumns | null;
}

/** Encode a digest: ranks in order, and the partial's JSON (validated by the reader's caller). */
export function encodeAuditDigest(ranks: readonly DigestRank[], partialJson: string): Uint8Array {
  const schema = flatColumnsSchema(
    FORMAT,
    new Map([
      ['megashard.kind', AUDIT_DIGEST_KIND],
      ['megashard.format_version', AUDIT_DIGEST_FORMAT_VERSION],
      ['megashard.partial', partialJson],
    ]),
  );
  const scalar = (pick: (rank: DigestRank) => number) => Int32Array.from(ranks, pick);
  const fact = (name: 'epoch' | 'rank' | 'worldSize' | 'microBatchSize' | 'firstStep') => scalar((r) => r.columns?.facts[name] ?? 0);
  const list = (pick: (columns: RankShardColumns) => ArrayLike<number>): IpcColumn => {
    const offsets = new Int32Array(ranks.length + 1);
    ranks.forEach((r, i) => (offsets[i + 1] = offsets[i]! + (r.columns === null ? 0 : pick(r.columns).length)));
    const values = new Int32Array(offsets[ranks.length]!);
    ranks.forEach((r, i) => r.columns !== null && values.set(pick(r.columns), offsets[i]));
    return { kind: 'list-int32', offsets, values };
  };
  const flags = (c: RankShardColumns) => {
    const out = Int32Array.from(c.modality, (m, p) => m | (c.isPadding[p]! << 8));
    if (c.packStarts) for (let j = 0; j + 1 < c.packStarts.length; j++) out[c.packStarts[j]!]! |= PACK_START_FLAG;
    return out;
  };
  return encodeFlatColumnsFile(
    schema,
    [
      { kind: 'int32', values: scalar((r) => r.rank) },
      { kind: 'uint8', values: Uint8Array.from(ranks, (r) => (r.columns === null ? 0 : 1)) },
      ...[fact('epoch'), fact('rank'), fact('worldSize'), fact('microBatchSize'), fact('firstStep')].map((values) => ({ kind: 'int32' as const, values })),
      list((c) => c.stepStarts),
      list((c) => c.sampleIds),
      list((c) => c.lengths),
      list((c) => c.totalTokens),
      list((c) => c.trainableTokens),
      list(flags),
    ],
    ranks.length,
  );
}

/** Decode a digest back into its ranks and the partial's JSON text. */
export function decodeAuditDigest(bytes: Uint8Array, where: string): { ranks: DigestRank[]; partialJson: string } {
  const file = decodeFlatColumnsFile(bytes, FORMAT, metadataSchema, where);
  const int = (i: number) => columnAt(file, i, 'int32').values;
  const lists = [7, 8, 9, 10, 11, 12].map((i) => columnAt(file, i, 'list-int32'));
  const usable = columnAt(file, 1, 'uint8').values;
  const [epoch, claimed, worldSize, microBatchSize, firstStep] = [int(2), int(3), int(4), int(5), int(6)];
  const ranks: DigestRank[] = [];
  for (let i = 0; i < file.rows; i++) {
    const slice = (k: number) => lists[k]!.values.slice(lists[k]!.offsets[i], lists[k]!.offsets[i + 1]);
    if (usable[i] === 0) {
      ranks.push({ rank: int(0)[i]!, columns: null });
      continue;
    }
    const flags = slice(5);
    const columns: RankShardColumns = {
      facts: { epoch: epoch[i]!, rank: claimed[i]!, worldSize: worldSize[i]!, microBatchSize: microBatchSize[i]!, firstStep: firstStep[i]! },
      stepStarts: slice(0),
      sampleIds: slice(1),
      lengths: slice(2),
      totalTokens: slice(3),
      trainableTokens: slice(4),
      modality: Uint8Array.from(flags, (f) => f & 0xff),
      isPadding: Uint8Array.from(flags, (f) => (f >>> 8) & 1),
      ...packStartsOf(flags),
    };
    if (columns.sampleIds.length !== columns.lengths.length || flags.length !== columns.sampleIds.length)
      throw new CorruptArtifactError(where, `rank ${int(0)[i]}: its columns have different lengths`);
    ranks.push({ rank: int(0)[i]!, columns });
  }
  return { ranks, partialJson: file.metadata.partialJson };
}
