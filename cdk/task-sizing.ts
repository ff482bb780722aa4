import { Duration } from 'aws-cdk-lib';
import type { PipelineTaskName } from '../lib/run/pipeline/task-names.js';

/** Memory and timeout of each task's function; the timeout is also the task's TimeoutSeconds. */
export interface TaskSizing {
  readonly memoryMb: number;
  readonly timeout: Duration;
}

/**
 * One table for the functions (cdk/pipeline-functions.ts) and the state machine's task timeouts,
 * so the definition rendered for local runs has the same timeouts as the deployed one.
 */
export const TASK_SIZING: Readonly<Record<PipelineTaskName, TaskSizing>> = {
  // Prepare hashes every source in full (the run id): the longest timeout Lambda allows.
  Prepare: { memoryMb: 1024, timeout: Duration.minutes(15) },
  // 1,769 MB is one full vCPU: tokenizing is CPU-bound.
  Tokenize: { memoryMb: 1769, timeout: Duration.minutes(15) },
  MergeIndex: { memoryMb: 3008, timeout: Duration.minutes(15) },
  PlanShards: { memoryMb: 3008, timeout: Duration.minutes(15) },
  // One call holds WRITE_SHARDS_TOKENS_PER_CALL tokens (256 MiB) plus one tokens file and the Arrow encoding.
  WriteShards: { memoryMb: 3008, timeout: Duration.minutes(15) },
  // Hashes every shard file and checks it against the plan: I/O-bound, one call per run.
  FinishShards: { memoryMb: 3008, timeout: Duration.minutes(15) },
  // Holds every epoch's shard columns (ids and lengths, not tokens): 10M samples × W 1,024 in seconds.
  Audit: { memoryMb: 3008, timeout: Duration.minutes(15) },
  // Digests the step records (small JSON files) and writes run.json.
  CompleteRun: { memoryMb: 512, timeout: Duration.minutes(5) },
};
