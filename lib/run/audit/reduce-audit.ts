/**
 * The audit reduce: one call that runs the epoch-wide checks (coverage, equal steps, index
 * agreement, longest first, balance, waste, histogram, epoch order) on the digests the audit
 * partials wrote, merges their findings in rank order, and writes `audit/report.json` and
 * `report.html` — the same bytes as auditing every file in one call. It never reads a shard file:
 * its memory is the digests of one epoch (≈ 22 bytes an entry), every epoch's sample ids for the
 * epoch-order check, and four columns of the index.
 */
import { decodeAuditDigest } from '../../arrow/audit-digest-file.js';
import { decodeLengthIndex } from '../../arrow/index.js';
import { auditPartialSchema, mergeKeptFindings, type AuditPartial } from '../../core/audit/audit-partial.js';
import type { IndexColumns } from '../../core/audit/index-agreement.js';
import type { RankShardColumns } from '../../core/audit/rank-shard-columns.js';
import { renderAuditReportHtml } from '../../core/audit/report-html.js';
import type { AuditReport } from '../../core/audit/report-schema.js';
import { ShardAuditor } from '../../core/audit/shard-auditor.js';
import { CorruptArtifactError, InvalidInputError, MegashardError } from '../../core/errors.js';
import { signedLengths, type LengthIndex } from '../../core/index/length-index.js';
import { AUDIT_HTML_KEY, AUDIT_REPORT_KEY, INDEX_KEY } from '../../core/run-layout.js';
import { auditDigestKey } from '../../core/shards/route-layout.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX } from '../../core/shards/shard-layout.js';
import type { ShardEpochManifest, ShardsManifest } from '../../core/shards/shard-manifest.js';
import type { ShardSection } from '../../core/shards/shard-sections.js';
import type { ObjectStore } from '../../io/object-store.js';
import { readShardEpochManifest, readShardsRootManifest } from '../../shard/read-shard-manifests.js';
import { readRunRejects } from '../tokenize/read-run-rejects.js';
import { readPlanDeclarations, type PlanDeclarations } from './audit-plan-declarations.js';

/** The report and where it was written. */
export interface AuditRunResult {
  readonly report: AuditReport;
  readonly reportKey: string;
  readonly htmlKey: string;
}

/** Reduce the partials of `sections` (every section of every epoch) into the run's audit report. */
export async function reduceAudit(run: ObjectStore, sections: readonly ShardSection[], onEpoch?: (epoch: number) => void): Promise<AuditRunResult> {
  const root = await readShardsRootManifest(run);
  if (root === undefined) {
    throw new InvalidInputError(
      'run',
      `${run.location} has no ${SHARDS_PREFIX}/${SHARDS_MANIFEST_KEY}: its shards are not (completely) written; write them first`,
    );
  }
  const plan = await readPlanDeclarations(run);
  const index = await readIndexIfPresent(run);
  const auditor = new ShardAuditor(
    {
      planFingerprint: root.planFingerprint,
      indexFingerprint: root.indexFingerprint,
      strategyId: root.strategyId,
      worldSize: root.worldSize,
      microBatchSize: root.microBatchSize,
      gradientAccumulation: root.gradientAccumulation,
      sampleCount: root.sampleCount,
    },
    index === undefined ? undefined : indexColumns(index.index, plan),
    root.packing,
  );
  checkRunIdentity(root, plan, index, auditor);
  const files = { verified: 0, bytes: 0 };
  for (const { epoch } of [...root.epochs].sort((a, b) => a.epoch - b.epoch)) {
    const manifest = await epochManifestOrReport(run, epoch, auditor);
    if (manifest === null) continue;
    const planned = plan.epochs.get(epoch);
    if (planned === undefined)
      auditor.fileProblem(epoch, null, null, `the plan has no trusted manifest for epoch ${epoch}; checked as if nothing were dropped or padded`);
    for (const entry of manifest.files) {
      if (entry.rank >= root.worldSize)
        auditor.fileProblem(epoch, entry.rank, null, `${entry.key} is listed for rank ${entry.rank}, beyond world size ${root.worldSize}`);
    }
    const { ranks, partials } = await readEpochDigests(
      run,
      sections.filter((s) => s.epoch === epoch),
      root.worldSize,
      auditor,
    );
    for (const partial of partials) {
      auditor.fileProblems(mergeKeptFindings([partial.fileProblems]));
      files.verified += partial.files.verified;
      files.bytes += partial.files.bytes;
    }
    const planAgreement = mergeKeptFindings(partials.map((p) => p.planAgreement ?? { kept: [], count: 0 }));
    const none = { kept: [], count: 0 };
    const packedTokens = root.packing && {
      positions: mergeKeptFindings(partials.map((p) => p.packedTokens?.positions ?? none)),
      labels: mergeKeptFindings(partials.map((p) => p.packedTokens?.labels ?? none)),
    };
    auditor.addEpoch({
      epoch,
      ranks,
      declared: planned?.declared ?? { droppedIds: new Int32Array(0), paddingEntries: null },
      ...(planned === undefined ? {} : { planAgreement }),
      ...(packedTokens ? { packedTokens } : {}),
    });
    onEpoch?.(epoch);
  }
  const report = auditor.finish({ files, rejects: await readRunRejects(run) });
  await run.put(AUDIT_REPORT_KEY, `${JSON.stringify(report, null, 2)}\n`);
  await run.put(AUDIT_HTML_KEY, renderAuditReportHtml(report));
  return { report, reportKey: AUDIT_REPORT_KEY, htmlKey: AUDIT_HTML_KEY };
}

/** The epoch's digests in rank order: every rank's columns (null where unusable) and each partial's findings. */
async function readEpochDigests(
  run: ObjectStore,
  sections: readonly ShardSection[],
  worldSize: number,
  auditor: ShardAuditor,
): Promise<{ ranks: (RankShardColumns | null)[]; partials: AuditPartial[] }> {
  const ranks: (RankShardColumns | null)[] = new Array(worldSize).fill(null);
  const partials: AuditPartial[] = [];
  let covered = 0;
  for (const section of [...sections].sort((a, b) => a.ranks[0] - b.ranks[0])) {
    const key = auditDigestKey(section.section);
    const where = `${run.location}/${key}`;
    const digest = decodeAuditDigest(await run.get(key), where);
    const partial = parseAuditPartial(digest.partialJson, where);
    if (
      partial.epoch !== section.epoch ||
      partial.section !== section.section ||
      partial.ranks[0] !== section.ranks[0] ||
      partial.ranks[1] !== section.ranks[1]
    ) {
      throw new CorruptArtifactError(
        where,
        `is the digest of epoch ${partial.epoch} ranks [${partial.ranks.join(', ')}); section ${section.section} is epoch ${section.epoch} ranks [${section.ranks.join(', ')}): rerun its audit partial`,
      );
    }
    for (const { rank, columns } of digest.ranks) if (rank < worldSize) ranks[rank] = columns;
    covered = Math.max(covered, section.ranks[1]);
    partials.push(partial);
  }
  if (covered < worldSize)
    auditor.fileProblem(
      sections[0]?.epoch ?? null,
      null,
      null,
      `the audit partials covered ranks [0, ${covered}); the shards manifest says world size ${worldSize}`,
    );
  return { ranks, partials };
}

function parseAuditPartial(text: string, where: string): AuditPartial {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptArtifactError(where, `its partial is not JSON: ${(error as Error).message}`);
  }
  const parsed = auditPartialSchema.safeParse(value);
  if (!parsed.success) throw new CorruptArtifactError(where, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

async function readIndexIfPresent(run: ObjectStore): Promise<{ index: LengthIndex; fingerprint: string } | undefined> {
  if (!(await run.exists(INDEX_KEY))) return undefined;
  const { index, metadata } = decodeLengthIndex(await run.get(INDEX_KEY), `${run.location}/${INDEX_KEY}`);
  return { index, fingerprint: metadata.fingerprint };
}

function indexColumns(index: LengthIndex, plan: PlanDeclarations): IndexColumns {
  return {
    totalTokens: index.totalTokens,
    trainableTokens: index.trainableTokens,
    modality: index.modality,
    planLengths: signedLengths(index, plan.lengthColumn),
    sources: { sourceIndex: index.sourceIndex, sourceNames: index.sourceNames },
    numImages: index.numImages,
  };
}

/** The shards, the plan and the index must be one run's. */
function checkRunIdentity(
  root: ShardsManifest,
  plan: PlanDeclarations,
  index: { index: LengthIndex; fingerprint: string } | undefined,
  auditor: ShardAuditor,
): void {
  const report = (message: string) => auditor.fileProblem(null, null, null, message);
  if (plan.root.runFingerprint !== root.planFingerprint)
    report(`the shards were made from plan ${root.planFingerprint.slice(0, 12)}…; the run's plan is ${plan.root.runFingerprint.slice(0, 12)}…`);
  if (plan.root.sampleCount !== root.sampleCount) report(`the shards manifest says ${root.sampleCount} samples; the plan says ${plan.root.sampleCount}`);
  if (index !== undefined && index.fingerprint !== root.indexFingerprint)
    report(`the run's length index has fingerprint ${index.fingerprint.slice(0, 12)}…; the shards were made from ${root.indexFingerprint.slice(0, 12)}…`);
  if (index !== undefined && index.index.sampleCount !== root.sampleCount)
    report(`the run's length index has ${index.index.sampleCount} samples; the shards manifest says ${root.sampleCount}`);
  for (const problem of plan.problems) auditor.fileProblem(problem.epoch, null, null, problem.message);
}

/** The epoch's shard manifest, or null (reported) when it is corrupt or does not match the root's sha256. */
async function epochManifestOrReport(run: ObjectStore, epoch: number, auditor: ShardAuditor): Promise<ShardEpochManifest | null> {
  try {
    return await readShardEpochManifest(run, epoch);
  } catch (error) {
    if (!(error instanceof MegashardError) || error.name !== 'CorruptArtifact') throw error;
    auditor.fileProblem(epoch, null, null, error.message);
    return null;
  }
}
