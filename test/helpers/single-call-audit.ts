/**
 * The audit as one call over every shard file — what `megashard audit` and the pipeline's Audit
 * state did before the audit was fanned out (lib/run/audit/audit-section.ts, reduce-audit.ts).
 * Kept, unchanged, as the reference the fan-out's report.json and report.html must equal.
 */
import { AUDIT_HTML_KEY, AUDIT_REPORT_KEY, INDEX_KEY } from '../../lib/core/run-layout.js';
import { decodeLengthIndex } from '../../lib/arrow/index.js';
import type { IndexColumns } from '../../lib/core/audit/index-agreement.js';
import type { PlannedRankColumns } from '../../lib/core/audit/plan-agreement.js';
import type { RankShardColumns } from '../../lib/core/audit/rank-shard-columns.js';
import { renderAuditReportHtml } from '../../lib/core/audit/report-html.js';
import type { AuditReport } from '../../lib/core/audit/report-schema.js';
import { ShardAuditor } from '../../lib/core/audit/shard-auditor.js';
import { InvalidInputError, MegashardError } from '../../lib/core/errors.js';
import { signedLengths, type LengthIndex } from '../../lib/core/index/length-index.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX } from '../../lib/core/shards/shard-layout.js';
import type { ShardEpochManifest, ShardsManifest } from '../../lib/core/shards/shard-manifest.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { readShardEpochManifest, readShardsRootManifest } from '../../lib/shard/read-shard-manifests.js';
import { readPlanDeclarations, type PlanDeclarations, type PlannedEpochFacts } from '../../lib/run/audit/audit-plan-declarations.js';
import { readPlannedRankForAudit } from '../../lib/run/audit/audit-read-plan-rank.js';
import { readRankForAudit, type RankRead } from '../../lib/run/audit/audit-read-rank.js';
import { readRunRejects } from '../../lib/run/tokenize/read-run-rejects.js';

/** Shard files fetched at once (latency-bound on S3; each rank's files are decoded as they arrive). */
const DEFAULT_READS_IN_FLIGHT = 8;

export interface AuditRunOptions {
  readonly readsInFlight?: number;
  readonly onEpoch?: (epoch: number) => void;
}

/** The report and where it was written. */
export interface AuditRunResult {
  readonly report: AuditReport;
  readonly reportKey: string;
  readonly htmlKey: string;
}

/** Audit a run's shards and write the report files; the report says whether it passed. */
export async function auditRunInOneCall(run: ObjectStore, options: AuditRunOptions = {}): Promise<AuditRunResult> {
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
  );
  checkRunIdentity(root, plan, index, auditor);
  const files = { verified: 0, bytes: 0 };
  for (const { epoch } of [...root.epochs].sort((a, b) => a.epoch - b.epoch)) {
    const manifest = await epochManifestOrReport(run, epoch, auditor);
    if (manifest === null) continue;
    const planned = plan.epochs.get(epoch);
    if (planned === undefined)
      auditor.fileProblem(epoch, null, null, `the plan has no trusted manifest for epoch ${epoch}; checked as if nothing were dropped or padded`);
    const read = await readEpochRanks(run, manifest, root, planned, options.readsInFlight ?? DEFAULT_READS_IN_FLIGHT, auditor, files);
    auditor.addEpoch({
      epoch,
      ranks: read.ranks,
      declared: planned?.declared ?? { droppedIds: new Int32Array(0), paddingEntries: null },
      ...(planned === undefined ? {} : { planned: read.planned }),
    });
    options.onEpoch?.(epoch);
  }
  const report = auditor.finish({ files, rejects: await readRunRejects(run) });
  await run.put(AUDIT_REPORT_KEY, `${JSON.stringify(report, null, 2)}\n`);
  await run.put(AUDIT_HTML_KEY, renderAuditReportHtml(report));
  return { report, reportKey: AUDIT_REPORT_KEY, htmlKey: AUDIT_HTML_KEY };
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

/** Every rank's shard columns and plan file in rank order (null where unusable), reading a few ranks at a time. */
async function readEpochRanks(
  run: ObjectStore,
  manifest: ShardEpochManifest,
  root: ShardsManifest,
  plan: PlannedEpochFacts | undefined,
  inFlight: number,
  auditor: ShardAuditor,
  files: { verified: number; bytes: number },
): Promise<{ ranks: (RankShardColumns | null)[]; planned: (PlannedRankColumns | null)[] }> {
  const W = root.worldSize;
  for (const entry of manifest.files) {
    if (entry.rank >= W) auditor.fileProblem(manifest.epoch, entry.rank, null, `${entry.key} is listed for rank ${entry.rank}, beyond world size ${W}`);
  }
  const reads: RankRead[] = new Array(W);
  const plans: Awaited<ReturnType<typeof readPlannedRankForAudit>>[] = new Array(W);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let rank = next++; rank < W; rank = next++) {
      reads[rank] = await readRankForAudit(
        run,
        manifest.files.filter((f) => f.rank === rank),
        root.planFingerprint,
      );
      if (plan !== undefined)
        plans[rank] = await readPlannedRankForAudit(
          run,
          plan.files.find((f) => f.rank === rank),
        );
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, W) }, worker));
  // Problems are reported in rank order, whatever order the reads finished in.
  const ranks = reads.map((read, rank) => {
    for (const problem of read.problems) auditor.fileProblem(manifest.epoch, rank, problem.step, problem.message);
    const planProblem = plans[rank]?.problem;
    if (planProblem) auditor.fileProblem(manifest.epoch, rank, null, `plan file: ${planProblem}`);
    files.verified += read.filesVerified;
    files.bytes += read.bytes;
    return read.columns;
  });
  return { ranks, planned: Array.from({ length: W }, (_, rank) => plans[rank]?.planned ?? null) };
}
