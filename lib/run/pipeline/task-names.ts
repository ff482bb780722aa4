/**
 * The Lambda tasks of the pipeline, by state name. The CDK construct gives each its function and
 * the local runner its in-process handler under the same name, so the two cannot drift apart.
 */
export const PIPELINE_TASK_NAMES = ['Prepare', 'Tokenize', 'MergeIndex', 'PlanShards', 'WriteShards', 'FinishShards', 'Audit', 'CompleteRun'] as const;

/** A task of the pipeline. */
export type PipelineTaskName = (typeof PIPELINE_TASK_NAMES)[number];

/** Tasks that run as Distributed Map children: locally they go to worker threads (their outputs are keyed by item). */
export const MAP_CHILD_TASKS: ReadonlySet<PipelineTaskName> = new Set(['Tokenize', 'WriteShards']);
