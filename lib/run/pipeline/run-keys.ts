import { RUNS_PREFIX } from '../../core/run-layout.js';
import { InvalidInputError } from '../../core/errors.js';

/** The bucket prefix of a run. */
export function runPrefixOf(runId: string): string {
  return `${RUNS_PREFIX}${runId}`;
}

/** A key of the bucket from a key relative to a store's prefix (what states pass around). */
export function bucketKey(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}/${key}`;
}

/** A bucket key under `prefix`, made relative to it again (what a run's records hold). */
export function keyUnder(prefix: string, key: string, field: string): string {
  if (!key.startsWith(`${prefix}/`)) throw new InvalidInputError(field, `"${key}" is not under ${prefix}/`);
  return key.slice(prefix.length + 1);
}

/**
 * The folder where an execution's HashSources calls record the sources' block digests, before the
 * run id exists: under runs/, named by the execution (so no other execution ever reads them), in a
 * `work/` folder like every intermediate (Prepare deletes it once the run is named).
 */
export function sourceStagePrefixOf(executionName: string): string {
  return `${RUNS_PREFIX}_prepare/${executionName}/work/source-hashes`;
}
