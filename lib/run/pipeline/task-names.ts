/**
 * The Lambda tasks of the pipeline, by state name. The CDK construct gives each its function and
 * the local runner its in-process handler under the same name, so the two cannot drift apart.
 */
export const PIPELINE_TASK_NAMES = ['Prepare', 'Tokenize', 'MergeIndex', 'PlanShards', 'CompleteRun'] as const;

/** A task of the pipeline. */
export type PipelineTaskName = (typeof PIPELINE_TASK_NAMES)[number];
