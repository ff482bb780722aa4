/**
 * `run --on aws`: the deployed pipeline driven from this machine. The target is checked, the
 * dataset uploaded (dataset.json last) or found in the bucket, the upload's one execution started
 * or found (the trigger may have started it), then watched to its end and summarized.
 */
import type { LocalRunEvent } from '../../local/run-events.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { S3ObjectStore } from '../../io/s3-store.js';
import type { StepFunctions } from '../../io/step-functions.js';
import { ensureExecution, type EnsuredExecution } from './ensure-execution.js';
import { HistoryProgress } from './history-progress.js';
import { summarizeExecution, type RemoteRunSummary } from './execution-summary.js';
import { checkRemoteTarget, type RemoteTarget } from './remote-target.js';
import { stageDataset } from './stage-dataset.js';
import { watchExecution } from './watch-execution.js';

/** What a remote run reports as it goes: the local run's state/map events plus its own milestones. */
export type RemoteRunEvent =
  | LocalRunEvent
  | { readonly kind: 'upload'; readonly done: number; readonly total: number }
  | { readonly kind: 'uploaded'; readonly dataset: string; readonly files: number; readonly versionId?: string }
  | ({ readonly kind: 'execution' } & EnsuredExecution)
  | { readonly kind: 'ended'; readonly summary: RemoteRunSummary };

/** Options of {@link runRemote}. */
export interface RunRemoteOptions {
  /** A local dataset folder (uploaded) or `s3://<bucket>/datasets/<name>` (used as is). */
  readonly dataset: string;
  readonly target: RemoteTarget;
  readonly sfn: StepFunctions;
  readonly openBucket: (prefix: string) => S3ObjectStore;
  /** Name under datasets/ for an uploaded folder (default: the folder's name). */
  readonly name?: string;
  /** Return once the execution is started (or found), without watching it. */
  readonly detach?: boolean;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onEvent?: (event: RemoteRunEvent) => void;
}

/** Run a dataset on the deployed pipeline; resolves to the execution's summary (outcome `running` when detached or stopped). */
export async function runRemote(options: RunRemoteOptions): Promise<RemoteRunSummary> {
  const { sfn, target, onEvent } = options;
  await checkRemoteTarget(sfn, target);
  const staged = await stageDataset(options.dataset, {
    target,
    openBucket: options.openBucket,
    ...(options.name !== undefined ? { name: options.name } : {}),
    onFile: (done, total) => onEvent?.({ kind: 'upload', done, total }),
  });
  const { upload } = staged;
  onEvent?.({
    kind: 'uploaded',
    dataset: `s3://${upload.bucket}/${upload.key}`,
    files: staged.uploadedFiles,
    ...(upload.versionId !== undefined ? { versionId: upload.versionId } : {}),
  });
  const execution = await ensureExecution(sfn, target, upload);
  onEvent?.({ kind: 'execution', ...execution });
  const openBucket = (prefix: string): ObjectStore => options.openBucket(prefix);
  if (options.detach === true) {
    // Just started, an execution may not be described yet (eventual consistency): it is running.
    const described = (await sfn.describeExecution(execution.executionArn)) ?? { ...execution, status: 'RUNNING' as const, startDate: new Date() };
    return summarizeExecution(described, new HistoryProgress(), { bucket: target.bucket, openBucket });
  }
  const watched = await watchExecution(sfn, execution.executionArn, {
    pollMs: options.pollMs ?? 2000,
    ...(onEvent !== undefined ? { onEvent } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.sleep !== undefined ? { sleep: options.sleep } : {}),
  });
  const summary = await summarizeExecution(watched.execution, watched.progress, { bucket: target.bucket, openBucket });
  onEvent?.({ kind: 'ended', summary });
  return summary;
}
