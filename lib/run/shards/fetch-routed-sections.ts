/**
 * Assemble's reads: section `section` of every routed object, two ranged GETs each — its two
 * offsets from the header, then its bytes (skipped when the section is empty) — a bounded number
 * of objects in flight. A routed object that is missing, or shorter than its header says, is
 * CorruptArtifact naming it: an Assemble call never writes a shard from partial input.
 */
import { decodeRoutedSection, type RoutedRows } from '../../arrow/routed-section-file.js';
import { CorruptArtifactError, MegashardError } from '../../core/errors.js';
import { routedObjectKey } from '../../core/shards/route-layout.js';
import { sectionBoundsRange, sectionSpan } from '../../core/shards/routed-object.js';
import type { RoutingManifest } from '../../core/shards/shard-sections.js';
import { mapWithConcurrency } from '../../io/bounded-concurrency.js';
import type { ObjectStore } from '../../io/object-store.js';
import { NO_TOKENIZER } from './index-only-routes.js';

/** One routed object's part of the section. */
export interface RoutedPart {
  readonly rows: RoutedRows;
  readonly count: number;
  readonly where: string;
}

/** Fetch and decode section `section` from every routed object; objects with nothing for it are left out. */
export async function fetchRoutedSections(
  run: ObjectStore,
  routing: RoutingManifest,
  section: number,
  readsInFlight: number,
): Promise<{ parts: RoutedPart[]; bytesRead: number }> {
  let bytesRead = 0;
  const fetched = await mapWithConcurrency(routing.routedObjects, readsInFlight, async (object) => {
    const key = routedObjectKey(object);
    const where = `${run.location}/${key}`;
    const [headerStart, headerEnd] = sectionBoundsRange(section);
    const [start, end] = sectionSpan(await readRouted(run, key, headerStart, headerEnd, where), section, 1, where);
    if (end === start) return undefined;
    const bytes = await readRouted(run, key, start, end, where);
    if (bytes.length !== end - start)
      throw new CorruptArtifactError(
        where,
        `ends at byte ${start + bytes.length}; its header puts section ${section} at [${start}, ${end}): truncated, rerun Route`,
      );
    bytesRead += bytes.length;
    const decoded = decodeRoutedSection(bytes, `${where} section ${section}`);
    if (decoded.meta.planFingerprint !== routing.planFingerprint || decoded.meta.tokenizerFingerprint !== routedTokenizer(routing)) {
      throw new CorruptArtifactError(
        where,
        `section ${section} was routed for plan ${decoded.meta.planFingerprint.slice(0, 12)}…; this run's is ${routing.planFingerprint.slice(0, 12)}…: rerun Route`,
      );
    }
    return { rows: decoded.rows, count: decoded.count, where: `${where} section ${section}` };
  });
  return { parts: fetched.filter((part): part is RoutedPart => part !== undefined), bytesRead };
}

/** The tokenizer fingerprint routed sections carry (a stand-in for an index-only run). */
function routedTokenizer(routing: RoutingManifest): string {
  return routing.tokenizerFingerprint === '' ? NO_TOKENIZER : routing.tokenizerFingerprint;
}

/** A ranged read of a routed object; a missing one is named as the corrupt input it is. */
async function readRouted(run: ObjectStore, key: string, start: number, end: number, where: string): Promise<Uint8Array> {
  try {
    return await run.getRange(key, start, end);
  } catch (error) {
    if (error instanceof MegashardError && error.name === 'ObjectNotFound')
      throw new CorruptArtifactError(where, 'is missing (a Route call did not write it, or it was deleted): rerun Route');
    throw error;
  }
}
