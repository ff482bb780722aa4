import { PLAN_PREFIX } from '../../core/run-layout.js';
import { decodePlanRankFile } from '../../arrow/index.js';
import type { PlannedRankColumns } from '../../core/audit/plan-agreement.js';
import { MegashardError } from '../../core/errors.js';
import { sha256Hex } from '../../core/fingerprint.js';
import type { RankFileEntry } from '../../core/plan/manifest.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';

/**
 * A rank's plan file for the audit, verified against its plan manifest entry (size, sha256) and
 * decoded; null with a reason when it cannot be trusted (the shards are then not compared to it).
 */
export async function readPlannedRankForAudit(
  run: ObjectStore,
  entry: RankFileEntry | undefined,
): Promise<{ planned: PlannedRankColumns | null; problem: string | null }> {
  if (entry === undefined) return { planned: null, problem: 'the plan lists no file for this rank' };
  const key = joinKey(PLAN_PREFIX, entry.key);
  const where = `${run.location}/${key}`;
  let bytes: Uint8Array;
  try {
    bytes = await run.get(key);
  } catch (error) {
    if (error instanceof MegashardError && error.name === 'ObjectNotFound') return { planned: null, problem: `${key}: listed in the plan but missing` };
    throw error;
  }
  if (bytes.length !== entry.bytes || sha256Hex(bytes) !== entry.sha256) {
    return { planned: null, problem: `${key}: does not match its plan manifest entry (size or sha256); the shards cannot be compared to it` };
  }
  try {
    const { sampleIds, isPadding, metadata, stepStarts, packStarts } = decodePlanRankFile(bytes, where);
    const base = { sampleIds, isPadding, firstStep: metadata.firstStep, microBatchSize: metadata.microBatchSize };
    // A packed plan's steps are whole packs of any number of rows: compare steps and packs by offsets.
    return { planned: metadata.layout === 'packed' ? { ...base, stepStarts, packStarts } : base, problem: null };
  } catch (error) {
    if (!(error instanceof MegashardError)) throw error;
    return { planned: null, problem: error.message };
  }
}
