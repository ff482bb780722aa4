/**
 * Where the two-phase shard shuffle keeps its intermediates, relative to the run's folder. They
 * all live under one folder, `work/`, so that finishing the shards can delete them with one
 * listing (and a bucket lifecycle rule on the same folder name can expire what a dead run left):
 *
 * ```
 * shard-work.json                      PlanShards: the Assemble (and audit) items, one per section
 * route-work.json                      PlanShards: the Route items, one per tokens file (kept: the run's record names it)
 * work/shards/routing.json             PlanShards: counts and identity every Route and Assemble call shares
 * work/shards/route-lists/epoch-EEEE/part-FFFFFF.arrow  PlanShards: epoch E's entries in tokens file F
 * work/shards/routed/part-FFFFFF.route        Route: file F's rows for every section (header + sections)
 * work/audit/section-SSSSSS.arrow              AuditPartial: section S's audit digest
 * ```
 *
 * A *section* is one (epoch, rank range) of the plan: the unit an Assemble call writes and an
 * audit partial checks. Sections are numbered in item order (epoch, then rank).
 */

/** Folder of every intermediate of a run; nothing in it is an output. */
export const WORK_PREFIX = 'work';
/** What every Route and Assemble call shares (routingManifestSchema). */
export const ROUTING_KEY = `${WORK_PREFIX}/shards/routing.json`;
/** The Route map's items (outside work/: the run's record keeps its key, like shard-work.json's). */
export const ROUTE_WORK_KEY = 'route-work.json';

const part = (file: number) => `part-${String(file).padStart(6, '0')}`;

/** Route list of tokens file `file` (its position in tokenize.json) for one epoch. */
export function routeListKey(epoch: number, file: number): string {
  return `${WORK_PREFIX}/shards/route-lists/epoch-${String(epoch).padStart(4, '0')}/${part(file)}.arrow`;
}

/** Routed object written by the Route call of tokens file `file`. */
export function routedObjectKey(file: number): string {
  return `${WORK_PREFIX}/shards/routed/${part(file)}.route`;
}

/** Audit digest of section `section`. */
export function auditDigestKey(section: number): string {
  return `${WORK_PREFIX}/audit/section-${String(section).padStart(6, '0')}.arrow`;
}
