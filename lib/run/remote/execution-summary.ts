/**
 * What an execution came to, in the words of a local run: where the run folder is, whether the
 * audit passed, or which state failed with which error — from the execution's output (or its
 * Prepare output while it runs) and its history.
 */
import { z } from 'zod';
import { causeMessage } from '../../local/asl.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { ExecutionDescription } from '../../io/step-functions-types.js';
import { readCompletedRun } from '../run-record.js';
import type { HistoryProgress } from './history-progress.js';

/** The fields of an execution's (or Prepare's) output the summary reads; the rest passes. */
const runOutputSchema = z.looseObject({
  runId: z.string().min(1),
  runPrefix: z.string().min(1),
  complete: z.boolean().optional(),
  inProgressBy: z.string().nullable().optional(),
  outputs: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

const auditOutputSchema = z.looseObject({ reportKey: z.string(), htmlKey: z.string(), checks: z.number(), warnings: z.number() });

/** How an execution ended (or that it has not). */
export type RemoteOutcome = 'running' | 'complete' | 'already-complete' | 'in-progress-elsewhere' | 'failed' | 'aborted' | 'timed-out';

/** The end (or current state) of one execution, for people and for `--json`. */
export interface RemoteRunSummary {
  readonly name: string;
  readonly executionArn: string;
  readonly status: string;
  readonly outcome: RemoteOutcome;
  readonly startDate: string;
  readonly stopDate?: string;
  readonly durationMs?: number;
  readonly runId?: string;
  /** `s3://<bucket>/runs/<run id>` (the bucket key when the bucket is unknown) */
  readonly runFolder?: string;
  readonly audit?: { readonly passed: true; readonly checks: number; readonly warnings: number; readonly report: string; readonly html: string };
  /** The execution writing the run (outcome in-progress-elsewhere). */
  readonly inProgressBy?: string;
  readonly failure?: { readonly state?: string; readonly error: string; readonly cause: string };
}

/** Options of {@link summarizeExecution}. */
export interface SummarizeOptions {
  /** The pipeline's bucket, for s3:// URLs (without it, locations are bucket keys). */
  readonly bucket?: string;
  /** The bucket's store under a prefix: an already-complete run's audit verdict is read from its run.json. */
  readonly openBucket?: (prefix: string) => ObjectStore;
}

/** Summarize an execution from its description and its history (folded into `progress`). */
export async function summarizeExecution(execution: ExecutionDescription, progress: HistoryProgress, options: SummarizeOptions): Promise<RemoteRunSummary> {
  const at = (key: string) => locate(options.bucket, key);
  const parsed = runOutputSchema.safeParse(parseJson(execution.output ?? progress.prepareOutput));
  const run = parsed.success ? parsed.data : undefined;
  const base = {
    name: execution.name,
    executionArn: execution.executionArn,
    status: execution.status,
    startDate: execution.startDate.toISOString(),
    ...(execution.stopDate !== undefined
      ? { stopDate: execution.stopDate.toISOString(), durationMs: execution.stopDate.getTime() - execution.startDate.getTime() }
      : {}),
    ...(run !== undefined ? { runId: run.runId, runFolder: at(run.runPrefix) } : {}),
  };
  if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') return { ...base, outcome: 'running' };
  if (execution.status !== 'SUCCEEDED') {
    const outcome = execution.status === 'ABORTED' ? 'aborted' : execution.status === 'TIMED_OUT' ? 'timed-out' : 'failed';
    const error = execution.error ?? progress.endEvent?.error ?? `States.${execution.status}`;
    const cause = causeMessage(execution.cause ?? progress.endEvent?.cause ?? '');
    return { ...base, outcome, failure: { ...(progress.failedState !== undefined ? { state: progress.failedState } : {}), error, cause } };
  }
  if (run?.inProgressBy) return { ...base, outcome: 'in-progress-elsewhere', inProgressBy: run.inProgressBy };
  const audit = run?.outputs?.audit !== undefined ? auditOf(run.outputs.audit, at) : await recordedAudit(run, options);
  const outcome = run?.outputs !== undefined ? 'complete' : 'already-complete';
  return { ...base, outcome, ...(audit !== undefined ? { audit } : {}) };
}

/** An already-complete run's audit verdict, from its run.json (keys there are relative to the run). */
async function recordedAudit(run: z.infer<typeof runOutputSchema> | undefined, options: SummarizeOptions): Promise<RemoteRunSummary['audit']> {
  if (run === undefined || options.openBucket === undefined) return undefined;
  const record = await readCompletedRun(options.openBucket(run.runPrefix));
  return record?.outputs.audit !== undefined ? auditOf(record.outputs.audit, (key) => locate(options.bucket, `${run.runPrefix}/${key}`)) : undefined;
}

function auditOf(value: unknown, at: (key: string) => string): RemoteRunSummary['audit'] {
  const audit = auditOutputSchema.safeParse(value);
  if (!audit.success) return undefined;
  const { checks, warnings, reportKey, htmlKey } = audit.data;
  return { passed: true, checks, warnings, report: at(reportKey), html: at(htmlKey) };
}

/** A bucket key as an s3:// URL when the bucket is known. */
function locate(bucket: string | undefined, key: string): string {
  return bucket !== undefined ? `s3://${bucket}/${key}` : key;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
