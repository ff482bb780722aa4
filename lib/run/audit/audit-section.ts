/**
 * AuditPartial: the audit's fan-out half. One call per section (an epoch's rank range) reads that
 * section's shard files — the only step of the audit that touches token bytes: sizes and sha256
 * checked against the epoch manifest, both variants decoded and compared — and its plan files,
 * checks `matches-plan`, and writes a digest: the ranks' index columns and the problems it found,
 * for the reduce to run the epoch-wide checks on. Memory is the section's files, not the run's.
 */
import { z } from 'zod';
import { encodeAuditDigest, type DigestRank } from '../../arrow/audit-digest-file.js';
import { keptFindings, type AuditPartial } from '../../core/audit/audit-partial.js';
import { FindingList } from '../../core/audit/finding.js';
import { checkPlanAgreement, type PlannedRankColumns } from '../../core/audit/plan-agreement.js';
import type { RankShardColumns } from '../../core/audit/rank-shard-columns.js';
import { InvalidInputError, MegashardError } from '../../core/errors.js';
import { auditDigestKey } from '../../core/shards/route-layout.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX } from '../../core/shards/shard-layout.js';
import type { ShardEpochManifest } from '../../core/shards/shard-manifest.js';
import type { ShardSection } from '../../core/shards/shard-sections.js';
import { DEFAULT_REQUESTS_IN_FLIGHT, mapWithConcurrency } from '../../io/bounded-concurrency.js';
import type { ObjectStore } from '../../io/object-store.js';
import { readShardEpochManifest, readShardsRootManifest } from '../../shard/read-shard-manifests.js';
import { readAuditedPlanRoot, readEpochDeclarations, type PlannedEpochFacts } from './audit-plan-declarations.js';
import { readPlannedRankForAudit } from './audit-read-plan-rank.js';
import { readRankForAudit } from './audit-read-rank.js';

/** What an AuditPartial call reports (small; the findings are in its digest). */
export const auditedSectionSchema = z
  .object({
    epoch: z.number().int().min(0),
    section: z.number().int().min(0),
    digestKey: z.string(),
    filesVerified: z.number().int().min(0),
    skipped: z.boolean(),
  })
  .strict();
export type AuditedSection = z.infer<typeof auditedSectionSchema>;

/** Audit one section's files and write its digest. */
export async function auditSection(run: ObjectStore, section: ShardSection, readsInFlight = DEFAULT_REQUESTS_IN_FLIGHT): Promise<AuditedSection> {
  const root = await readShardsRootManifest(run);
  if (root === undefined) {
    throw new InvalidInputError(
      'run',
      `${run.location} has no ${SHARDS_PREFIX}/${SHARDS_MANIFEST_KEY}: its shards are not (completely) written; write them first`,
    );
  }
  const manifest = await epochManifestOrNull(run, section.epoch);
  const partial: AuditPartial = {
    kind: 'audit-partial',
    formatVersion: 1,
    epoch: section.epoch,
    section: section.section,
    ranks: [section.ranks[0], section.ranks[1]],
    skipped: manifest === null,
    files: { verified: 0, bytes: 0 },
    fileProblems: { kept: [], count: 0 },
    planAgreement: null,
  };
  let ranks: DigestRank[] = [];
  if (manifest !== null) {
    const read = await readSectionRanks(run, section, manifest, root.planFingerprint, readsInFlight, root.packing !== undefined);
    ranks = read.ranks;
    Object.assign(partial, {
      files: read.files,
      fileProblems: keptFindings(read.fileProblems),
      planAgreement: read.planAgreement && keptFindings(read.planAgreement),
      ...(read.packedTokens ? { packedTokens: { positions: keptFindings(read.packedTokens.positions), labels: keptFindings(read.packedTokens.labels) } } : {}),
    });
  }
  const digestKey = auditDigestKey(section.section);
  await run.put(digestKey, encodeAuditDigest(ranks, JSON.stringify(partial)));
  return { epoch: section.epoch, section: section.section, digestKey, filesVerified: partial.files.verified, skipped: partial.skipped };
}

/** The epoch's shard manifest; null when it is corrupt (the reduce reports that, once, and skips the epoch). */
async function epochManifestOrNull(run: ObjectStore, epoch: number): Promise<ShardEpochManifest | null> {
  try {
    return await readShardEpochManifest(run, epoch);
  } catch (error) {
    if (error instanceof MegashardError && error.name === 'CorruptArtifact') return null;
    throw error;
  }
}

/** The section's ranks read and checked alone, in rank order (problems named in rank order too). */
async function readSectionRanks(
  run: ObjectStore,
  section: ShardSection,
  manifest: ShardEpochManifest,
  planFingerprint: string,
  readsInFlight: number,
  packed: boolean,
) {
  const [from, to] = section.ranks;
  const plan = await readPlannedEpochFacts(run, section.epoch);
  // One list pair per rank (reads run concurrently), merged in rank order below.
  const sinks = Array.from({ length: to - from }, (_, i) => ({
    epoch: section.epoch,
    rank: from + i,
    found: { positions: new FindingList(), labels: new FindingList() },
  }));
  const reads = await mapWithConcurrency(to - from, readsInFlight, async (i) => {
    const rank = from + i;
    const read = await readRankForAudit(
      run,
      manifest.files.filter((f) => f.rank === rank),
      planFingerprint,
      packed ? sinks[i] : undefined,
    );
    const planned =
      plan === undefined
        ? undefined
        : await readPlannedRankForAudit(
            run,
            plan.files.find((f) => f.rank === rank),
          );
    return { read, planned };
  });
  const fileProblems = new FindingList();
  const files = { verified: 0, bytes: 0 };
  // Arrays as long as the rank numbers, so the shared checks name global ranks.
  const columns: (RankShardColumns | null)[] = new Array(to).fill(null);
  const planned: (PlannedRankColumns | null)[] = new Array(to).fill(null);
  reads.forEach(({ read, planned: plannedRank }, i) => {
    for (const problem of read.problems) fileProblems.add(section.epoch, from + i, problem.step, problem.message);
    if (plannedRank?.problem) fileProblems.add(section.epoch, from + i, null, `plan file: ${plannedRank.problem}`);
    files.verified += read.filesVerified;
    files.bytes += read.bytes;
    columns[from + i] = read.columns;
    planned[from + i] = plannedRank?.planned ?? null;
  });
  const shards = { epoch: section.epoch, ranks: columns, declared: { droppedIds: new Int32Array(0), paddingEntries: null } };
  const packedTokens = packed ? { positions: new FindingList(), labels: new FindingList() } : null;
  for (const { found } of packed ? sinks : []) {
    packedTokens!.positions.addAll(found.positions.findings, found.positions.count);
    packedTokens!.labels.addAll(found.labels.findings, found.labels.count);
  }
  return {
    ranks: reads.map((_, i) => ({ rank: from + i, columns: columns[from + i]! })),
    files,
    fileProblems,
    planAgreement: plan === undefined ? null : checkPlanAgreement(shards, planned),
    packedTokens,
  };
}

/** The epoch's plan declarations when its manifest can be trusted (else the reduce reports why). */
async function readPlannedEpochFacts(run: ObjectStore, epoch: number): Promise<PlannedEpochFacts | undefined> {
  const root = await readAuditedPlanRoot(run);
  const entry = root.epochs.find((e) => e.epoch === epoch);
  if (entry === undefined) return undefined;
  const facts = await readEpochDeclarations(run, entry);
  return typeof facts === 'string' ? undefined : facts;
}
