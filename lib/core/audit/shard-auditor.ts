import { auditEpoch, roundRatio, type EpochAudit, type EpochAuditContext } from './audit-epoch.js';
import { CheckLedger } from './check-catalog.js';
import { compareEpochOrders } from './epoch-order.js';
import { FindingList } from './finding.js';
import type { IndexColumns } from './index-agreement.js';
import type { ShardPacking } from '../shards/shard-packing.js';
import { lengthHistogram, type LengthHistogram } from './length-histogram.js';
import type { EpochShards } from './rank-shard-columns.js';
import { countRejectsByReason, type RejectLike } from './rejects-by-reason.js';
import { AUDIT_REPORT_FORMAT_VERSION, type AuditReport } from './report-schema.js';

/** The run's identity and shape, as its shard manifests state them. */
export interface AuditedRun {
  readonly planFingerprint: string;
  readonly indexFingerprint: string;
  readonly strategyId: string;
  readonly worldSize: number;
  readonly microBatchSize: number;
  readonly gradientAccumulation: number;
  /** Rows of the length index. */
  readonly sampleCount: number;
}

/** What the caller read besides the shards' columns. */
export interface AuditExtras {
  /** Files read and hashed, and their total size. */
  readonly files: { readonly verified: number; readonly bytes: number };
  /** The run's rejects (tokenize-time), or none for a run that was not tokenized. */
  readonly rejects: Iterable<RejectLike>;
}

/**
 * The audit as a pure accumulator: feed it each epoch's shards in epoch order (each may be freed
 * after its call), plus whatever the storage layer found wrong with the files, then `finish`.
 * Nothing here reads storage; the same inputs give the same report.
 */
export class ShardAuditor {
  private readonly ledger = new CheckLedger();
  private readonly audits: EpochAudit[] = [];
  // Kept and counted like a check's findings: a 10,000-rank epoch of bad files must not grow a list.
  private fileFindings = new FindingList();
  private histogram: LengthHistogram | null = null;
  // One byte per sample, allocated at the first mixed epoch: which samples any epoch so far has seen.
  private everSeen: Uint8Array | null = null;
  private readonly context: EpochAuditContext;

  constructor(
    private readonly run: AuditedRun,
    index?: IndexColumns,
    /** A packed run's packing (from its shard manifests): enables the pack checks. */
    packing?: ShardPacking,
  ) {
    this.context = {
      sampleCount: run.sampleCount,
      shape: { worldSize: run.worldSize, microBatchSize: run.microBatchSize },
      strategyId: run.strategyId,
      ...(index === undefined ? {} : { index }),
      ...(packing === undefined ? {} : { packing }),
    };
  }

  /** A problem with a file found while reading it (size or sha256 mismatch, undecodable, variants disagree). */
  fileProblem(epoch: number | null, rank: number | null, step: number | null, message: string): void {
    this.fileFindings.add(epoch, rank, step, message);
  }

  /** Problems found while reading files elsewhere (an audit partial), kept and counted, in order. */
  fileProblems(found: FindingList): void {
    this.fileFindings.addAll(found.findings, found.count);
  }

  /** Audit one epoch; call in epoch order. */
  addEpoch(shards: EpochShards): void {
    // File problems come first in the report: they explain the epoch's other findings.
    this.flushFileProblems();
    if (this.histogram === null) this.histogram = lengthHistogram(shards.epoch, shards.ranks);
    this.audits.push(auditEpoch(shards, this.context, this.ledger, () => (this.everSeen ??= new Uint8Array(this.run.sampleCount))));
  }

  private flushFileProblems(): void {
    this.ledger.record('shard-files', this.fileFindings);
    this.fileFindings = new FindingList();
  }

  /** The finished report. */
  finish(extras: AuditExtras): AuditReport {
    this.flushFileProblems();
    const epochOrder = compareEpochOrders(this.audits.map((audit) => audit.order));
    if (this.audits.length > 1) {
      this.ledger.record(
        'epochs-differ',
        epochOrder
          .filter((pair) => pair.identical)
          .map((pair) => ({ epoch: pair.epochB, rank: null, step: null, message: `iterates every rank in exactly the order of epoch ${pair.epochA}` })),
      );
    }
    const checks = this.ledger.checks();
    const rejects = countRejectsByReason(extras.rejects);
    const W = this.run.worldSize;
    return {
      kind: 'audit-report',
      formatVersion: AUDIT_REPORT_FORMAT_VERSION,
      passed: checks.every((check) => check.status !== 'fail'),
      run: { ...this.run, epochs: this.audits.length },
      files: { ...extras.files },
      checks,
      epochs: this.audits.map((audit) => audit.report),
      epochOrder: epochOrder.map((pair) => ({ ...pair, samePositionFraction: roundRatio(pair.samePositionFraction) })),
      lengthHistogram: this.histogram,
      rejects: { total: rejects.reduce((sum, reason) => sum + reason.count, 0), byReason: rejects },
      context: { unsynchronisedSeedsCoverage: roundRatio(1 - (1 - 1 / W) ** W) },
    };
  }
}

/** Audit a run whose epochs are all in memory (tests, benchmarks): every epoch, then finish. */
export function auditShards(run: AuditedRun, epochs: readonly EpochShards[], extras: AuditExtras, index?: IndexColumns): AuditReport {
  const auditor = new ShardAuditor(run, index);
  for (const shards of epochs) auditor.addEpoch(shards);
  return auditor.finish(extras);
}
