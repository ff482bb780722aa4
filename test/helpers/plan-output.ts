/**
 * Reading a written plan back independently of lib/run (node:fs, node:crypto, the zod schemas and
 * the Arrow decoder), and the plan the planner gives when called directly, for integration tests.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePlanRankFile, encodeLengthIndex, type DecodedPlanRank } from '../../lib/arrow/index.js';
import { lengthsForStrategy, type LengthIndex } from '../../lib/core/index/length-index.js';
import { epochManifestSchema, planManifestSchema, type EpochManifest, type PlanManifest, type RankFileEntry } from '../../lib/core/plan/manifest.js';
import type { EpochPlan } from '../../lib/core/plan/epoch-plan.js';
import { planEpoch } from '../../lib/core/plan/plan-epoch.js';
import { resolveShardSpec } from '../../lib/core/spec/resolve-shard-spec.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';

/** Lowercase hex SHA-256 of bytes, computed with node:crypto directly. */
export function sha256Of(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Encode `index` (with its fingerprint) and put it at `key`; returns the file's bytes. */
export async function putLengthIndex(store: ObjectStore, key: string, index: LengthIndex): Promise<Uint8Array> {
  const bytes = encodeLengthIndex(index);
  await store.put(key, bytes);
  return bytes;
}

/** A rank file as found on disk, next to what its epoch manifest says about it. */
export interface RankFileOnDisk {
  readonly entry: RankFileEntry;
  readonly size: number;
  readonly sha256: string;
  readonly decoded: DecodedPlanRank;
}

/** An epoch as found on disk: its manifest (parsed with the zod schema) and its rank files. */
export interface EpochOnDisk {
  readonly ref: PlanManifest['epochs'][number];
  /** sha256 of the epoch manifest file's bytes. */
  readonly sha256: string;
  readonly manifest: EpochManifest;
  readonly files: readonly RankFileOnDisk[];
}

/** A whole plan folder read back: the root manifest (schema-parsed) and every epoch. */
export interface PlanOnDisk {
  readonly root: PlanManifest;
  readonly epochs: readonly EpochOnDisk[];
}

/** Read a plan folder: parse manifests with their schemas (throws on mismatch), hash and decode every file. */
export async function readPlanDir(dir: string): Promise<PlanOnDisk> {
  const root = planManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const epochs: EpochOnDisk[] = [];
  for (const ref of root.epochs) {
    const text = await readFile(join(dir, ref.key));
    const manifest = epochManifestSchema.parse(JSON.parse(text.toString('utf8')));
    const files: RankFileOnDisk[] = [];
    for (const entry of manifest.files) {
      const bytes = await readFile(join(dir, entry.key));
      files.push({ entry, size: bytes.length, sha256: sha256Of(bytes), decoded: decodePlanRankFile(bytes, entry.key) });
    }
    epochs.push({ ref, sha256: sha256Of(text), manifest, files });
  }
  return { root, epochs };
}

/** The decoded rank files of an epoch, concatenated rank after rank, in EpochPlan's layout. */
export function concatRanks(ranks: readonly DecodedPlanRank[]): Pick<EpochPlan, 'sampleIds' | 'isPadding' | 'rankStarts'> & { lengths: Int32Array } {
  const total = ranks.reduce((sum, rank) => sum + rank.sampleIds.length, 0);
  const sampleIds = new Int32Array(total);
  const isPadding = new Uint8Array(total);
  const lengths = new Int32Array(total);
  const rankStarts = new Float64Array(ranks.length + 1);
  ranks.forEach((rank, r) => {
    const at = rankStarts[r]!;
    sampleIds.set(rank.sampleIds, at);
    isPadding.set(rank.isPadding, at);
    lengths.set(rank.lengths, at);
    rankStarts[r + 1] = at + rank.sampleIds.length;
  });
  return { sampleIds, isPadding, rankStarts, lengths };
}

/** What the planner gives for `spec` at `epoch` when called directly, and the lengths it used. */
export function directPlan(index: LengthIndex, spec: unknown, epoch: number): { plan: EpochPlan; lengths: Int32Array } {
  const resolved = resolveShardSpec(spec);
  const column = resolved.spec.lengthColumn ?? resolved.strategy.defaultLengthColumn;
  const lengths = lengthsForStrategy(index, column, resolved.strategy.usesModalitySign);
  return { plan: planEpoch(resolved.strategy, lengths, resolved.spec, epoch), lengths };
}

/** A memory store that records the key of every put, in order. */
export class RecordingStore extends MemoryObjectStore {
  readonly puts: string[] = [];

  override async put(key: string, body: Uint8Array | string): Promise<void> {
    this.puts.push(key);
    await super.put(key, body);
  }
}
