/**
 * Route: phase one of the shard shuffle. One call per tokens file reads that file once and its
 * route lists (one per epoch), copies every planned entry's row — tokens, images, and the index
 * columns the route list carries — into destination order (section, rank, position), and writes
 * ONE routed object: a header whose offset table locates each section, then the sections. The
 * bytes depend only on the plan, the index and the tokens, so a retried or resumed call writes the
 * same object again.
 */
import { z } from 'zod';
import { decodeRouteList, type RouteListRows } from '../../arrow/route-list-file.js';
import { encodeRoutedSection, routedSectionSchema, type RoutedRows } from '../../arrow/routed-section-file.js';
import { decodeTokensFileRows } from '../../arrow/index.js';
import { CorruptArtifactError } from '../../core/errors.js';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import { ROUTING_KEY, routeListKey, routedObjectKey } from '../../core/shards/route-layout.js';
import { encodeRoutedObject } from '../../core/shards/routed-object.js';
import { routingManifestSchema, type RouteItem, type RoutingManifest } from '../../core/shards/shard-sections.js';
import type { ObjectStore } from '../../io/object-store.js';
import { copyRoutedRows } from './copy-routed-rows.js';

/** What a Route call reports. */
export const routedTokensFileSchema = z
  .object({ file: z.number().int().min(0), routedKey: z.string(), rows: z.number().int().min(0), bytes: z.number().int().min(0) })
  .strict();
export type RoutedTokensFile = z.infer<typeof routedTokensFileSchema>;

/** Read the run's routing manifest (what every Route and Assemble call shares). */
export async function readRoutingManifest(run: ObjectStore): Promise<RoutingManifest> {
  return parseJsonArtifact(await run.get(ROUTING_KEY), routingManifestSchema, `${run.location}/${ROUTING_KEY}`);
}

/** Route one tokens file for every planned epoch into its routed object. */
export async function routeTokensFile(run: ObjectStore, item: RouteItem): Promise<RoutedTokensFile> {
  const routing = await readRoutingManifest(run);
  const lists = [];
  for (const epoch of item.epochs) lists.push(await readRouteList(run, routing, epoch, item.file));
  const where = `${run.location}/${item.tokensKey}`;
  const { rows: tokens, provenance } = decodeTokensFileRows(await run.get(item.tokensKey), where);
  if (provenance.tokenizerFingerprint !== routing.tokenizerFingerprint) {
    throw new CorruptArtifactError(
      where,
      `was made by tokenizer ${provenance.tokenizerFingerprint.slice(0, 12)}…; tokenize.json says ${routing.tokenizerFingerprint.slice(0, 12)}…`,
    );
  }
  const routed = copyRoutedRows(lists, tokens, where);
  const schema = routedSectionSchema({ planFingerprint: routing.planFingerprint, tokenizerFingerprint: routing.tokenizerFingerprint });
  const sections = encodeSections(schema, routed.rows, routed.section, routing.sections);
  const body = encodeRoutedObject(item.file, sections);
  const routedKey = routedObjectKey(item.file);
  await run.put(routedKey, body);
  return { file: item.file, routedKey, rows: routed.section.length, bytes: body.length };
}

/** An epoch's route list of this file; its metadata must be this run's, epoch and file. */
async function readRouteList(run: ObjectStore, routing: RoutingManifest, epoch: number, file: number): Promise<RouteListRows> {
  const key = routeListKey(epoch, file);
  const where = `${run.location}/${key}`;
  const { rows, meta } = decodeRouteList(await run.get(key), where);
  const expected = { planFingerprint: routing.planFingerprint, tokenizerFingerprint: routing.tokenizerFingerprint, epoch, file, sections: routing.sections };
  for (const [field, value] of Object.entries(expected)) {
    if (meta[field as keyof typeof meta] !== value)
      throw new CorruptArtifactError(where, `says ${field} ${String(meta[field as keyof typeof meta])}; expected ${String(value)}: rerun PlanShards`);
  }
  return rows;
}

/** Every section's bytes (empty for sections this file sends nothing to); rows are in section order. */
function encodeSections(schema: ReturnType<typeof routedSectionSchema>, rows: RoutedRows, section: Int32Array, sections: number): Uint8Array[] {
  const out: Uint8Array[] = Array.from({ length: sections }, () => new Uint8Array(0));
  let from = 0;
  let previous = -1;
  while (from < section.length) {
    const k = section[from]!;
    let to = from + 1;
    while (to < section.length && section[to] === k) to++;
    if (k <= previous || k >= sections)
      throw new CorruptArtifactError('route lists', `give section ${k} after section ${previous}; sections run 0–${sections - 1}, each once: rerun PlanShards`);
    previous = k;
    out[k] = encodeRoutedSection(schema, rows, from, to);
    from = to;
  }
  return out;
}
