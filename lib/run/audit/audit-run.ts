/**
 * The audit of a run (`megashard audit <run>`), as the pipeline fans it out: cut every epoch of the
 * shards manifest into rank ranges, run the audit partial of each (the only reads of shard files),
 * then the reduce — the same use-cases in one process, so the CLI and the pipeline write the same
 * report bytes. Reads go through the ObjectStore port, so a folder and a bucket audit alike.
 */
import { InvalidInputError } from '../../core/errors.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX } from '../../core/shards/shard-layout.js';
import type { ShardSection } from '../../core/shards/shard-sections.js';
import { WORK_PREFIX } from '../../core/shards/route-layout.js';
import { deleteUnder, type ObjectStore } from '../../io/object-store.js';
import { readShardsRootManifest } from '../../shard/read-shard-manifests.js';
import { auditSection } from './audit-section.js';
import { reduceAudit, type AuditRunResult } from './reduce-audit.js';

export type { AuditRunResult };

/** Ranks one local audit partial reads by default (the pipeline uses the Assemble sections). */
export const AUDIT_RANKS_PER_CALL = 64;

export interface AuditRunOptions {
  readonly ranksPerCall?: number;
  readonly readsInFlight?: number;
  readonly onEpoch?: (epoch: number) => void;
}

/** Audit a run's shards and write the report files; the report says whether it passed. */
export async function auditRun(run: ObjectStore, options: AuditRunOptions = {}): Promise<AuditRunResult> {
  const root = await readShardsRootManifest(run);
  if (root === undefined) {
    throw new InvalidInputError(
      'run',
      `${run.location} has no ${SHARDS_PREFIX}/${SHARDS_MANIFEST_KEY}: its shards are not (completely) written; write them first`,
    );
  }
  const sections = auditSections(
    root.epochs.map((e) => e.epoch),
    root.worldSize,
    options.ranksPerCall ?? AUDIT_RANKS_PER_CALL,
  );
  for (const section of sections) await auditSection(run, section, options.readsInFlight);
  const result = await reduceAudit(run, sections, options.onEpoch);
  await deleteUnder(run, `${WORK_PREFIX}/audit/`);
  return result;
}

/** Every epoch's ranks cut into ranges of at most `ranksPerCall`, numbered in (epoch, rank) order. */
export function auditSections(epochs: readonly number[], worldSize: number, ranksPerCall: number): ShardSection[] {
  if (!Number.isInteger(ranksPerCall) || ranksPerCall < 1) throw new InvalidInputError('ranksPerCall', `is ${ranksPerCall}; must be an integer ≥ 1`);
  const sections: ShardSection[] = [];
  for (const epoch of [...epochs].sort((a, b) => a - b)) {
    for (let from = 0; from < worldSize; from += ranksPerCall)
      sections.push({ epoch, ranks: [from, Math.min(worldSize, from + ranksPerCall)], section: sections.length });
  }
  return sections;
}
