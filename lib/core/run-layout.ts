/**
 * Every key of the bucket and of a run's folder, declared once. Keys inside a run are relative to
 * the run's folder (`runs/<run id>/`), so a run reads the same in a folder, a bucket or an s3://
 * prefix; docs/aws.md has the table of who writes what.
 *
 * ```
 * datasets/<name>/dataset.json           the upload that starts a run
 * runs/<run id>/
 *   chunks.json                          Prepare: the Tokenize map's items
 *   tokens/ index-parts/ rejects/        Tokenize: one of each per chunk
 *   index/lengths.arrow                  MergeIndex (+ rejects/duplicate-ids.jsonl, tokenize.json)
 *   plan/  shard-work.json               PlanShards
 *   shards/                              Assemble, FinishShards (lib/core/shards/shard-layout.ts)
 *   route-work.json  work/               PlanShards, Route, AuditPartial: intermediates (lib/core/shards/route-layout.ts)
 *   images/                              PlanImageListing, ListImages: the run's image table
 *   audit/report.json  audit/report.html Audit
 *   steps/<step>.json                    every step once done (its result and outputs' digests)
 *   map-results/<map run id>/            the Distributed Maps' ResultWriter output (diagnostics)
 *   run.json                             CompleteRun, written last
 * ```
 */

/** Where datasets live in the bucket; uploading `datasets/<name>/dataset.json` starts a run. */
export const DATASETS_PREFIX = 'datasets/';
/** Where runs write; each run gets `runs/<run id>/`, the run id being a fingerprint of its inputs. */
export const RUNS_PREFIX = 'runs/';

/** The chunk list Prepare writes: a JSON array of ChunkTask (what the Tokenize map reads). */
export const CHUNKS_KEY = 'chunks.json';
/** Folders of the per-chunk outputs of Tokenize (see `chunkKeys`). */
export const TOKENS_PREFIX = 'tokens';
export const INDEX_PARTS_PREFIX = 'index-parts';
/** Reject files: one JSONL per tokenized chunk, plus the merge's duplicate ids. */
export const REJECTS_PREFIX = 'rejects/';
/** The merged length index. */
export const INDEX_KEY = 'index/lengths.arrow';
/** The records the duplicate-id policy removed at the merge (JSONL of RecordReject). */
export const DUPLICATES_KEY = 'rejects/duplicate-ids.jsonl';
/** The tokenize manifest: tokens files in `tokens_row` order (the same file `megashard tokenize` writes). */
export const TOKENIZE_MANIFEST_KEY = 'tokenize.json';
/** Folder of the plan (per-epoch rank files and manifests, `manifest.json` last). */
export const PLAN_PREFIX = 'plan';
/** The Assemble and AuditPartial maps' items: a JSON array of {epoch, ranks: [from, to), section}. */
export const SHARD_WORK_KEY = 'shard-work.json';
/** The audit's report and its self-contained page. */
export const AUDIT_REPORT_KEY = 'audit/report.json';
export const AUDIT_HTML_KEY = 'audit/report.html';
/** Folder of the step records. */
export const STEPS_PREFIX = 'steps';
/** Folder of the Distributed Maps' ResultWriter output, kept with the run it belongs to. */
export const MAP_RESULTS_PREFIX = 'map-results';
/** The run's record: written last, its presence means "complete". */
export const RUN_RECORD_KEY = 'run.json';
