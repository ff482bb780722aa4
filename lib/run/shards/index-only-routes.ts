/**
 * Routing a run that has no tokens (an index planned without tokenizing, e.g. a synthetic one):
 * there is nothing to route from, so PlanShards writes the routed rows itself — one routed object
 * per epoch, its sections holding the index columns of their ranks' entries and empty token lists —
 * and Assemble then works exactly as for a tokenized run, writing the index-only variant.
 */
import { encodeRoutedSection, routedSectionSchema, type RoutedRows } from '../../arrow/routed-section-file.js';
import type { LengthIndex } from '../../core/index/length-index.js';
import { encodeRoutedObject } from '../../core/shards/routed-object.js';
import { routedObjectKey } from '../../core/shards/route-layout.js';
import type { ShardSection } from '../../core/shards/shard-sections.js';
import type { ObjectStore } from '../../io/object-store.js';

/** Identity written into the sections ('-' stands for the tokenizer an index-only run lacks). */
export const NO_TOKENIZER = '-';

/** Write epoch `epoch`'s routed object (routed object number `object`) from its ranks' planned ids. */
export async function writeIndexOnlyRoutes(
  run: ObjectStore,
  input: {
    readonly object: number;
    readonly epoch: number;
    readonly rankIds: readonly Int32Array[];
    readonly sections: readonly ShardSection[];
    readonly index: LengthIndex;
    readonly planFingerprint: string;
  },
): Promise<void> {
  const schema = routedSectionSchema({ planFingerprint: input.planFingerprint, tokenizerFingerprint: NO_TOKENIZER });
  const encoded = input.sections.map((section) => {
    if (section.epoch !== input.epoch) return new Uint8Array(0);
    const rows = indexOnlyRows(input.rankIds, section.ranks, input.index);
    return rows.rank.length === 0 ? new Uint8Array(0) : encodeRoutedSection(schema, rows, 0, rows.rank.length);
  });
  await run.put(routedObjectKey(input.object), encodeRoutedObject(input.object, encoded));
}

/** The entries of ranks [from, to) in (rank, position) order, with index columns and no tokens. */
function indexOnlyRows(rankIds: readonly Int32Array[], [from, to]: readonly [number, number], index: LengthIndex): RoutedRows {
  let n = 0;
  for (let r = from; r < to; r++) n += rankIds[r]!.length;
  const rows = {
    rank: new Int32Array(n),
    position: new Int32Array(n),
    sampleId: new Int32Array(n),
    totalTokens: new Int32Array(n),
    trainableTokens: new Int32Array(n),
    modality: new Uint8Array(n),
  };
  const idOffsets = new Int32Array(n + 1);
  let i = 0;
  for (let r = from; r < to; r++) {
    const ids = rankIds[r]!;
    for (let p = 0; p < ids.length; p++, i++) {
      const id = ids[p]!;
      rows.rank[i] = r;
      rows.position[i] = p;
      rows.sampleId[i] = id;
      rows.totalTokens[i] = index.totalTokens[id]!;
      rows.trainableTokens[i] = index.trainableTokens[id]!;
      rows.modality[i] = index.modality[id]!;
      idOffsets[i + 1] = idOffsets[i]! + index.recordIds.offsets[id + 1]! - index.recordIds.offsets[id]!;
    }
  }
  const idBytes = new Uint8Array(idOffsets[n]!);
  for (let k = 0; k < n; k++) {
    const id = rows.sampleId[k]!;
    idBytes.set(index.recordIds.bytes.subarray(index.recordIds.offsets[id], index.recordIds.offsets[id + 1]), idOffsets[k]);
  }
  const none = new Int32Array(n + 1);
  return {
    ...rows,
    recordIds: { bytes: idBytes, offsets: idOffsets },
    tokens: {
      tokenOffsets: none,
      inputIds: new Int32Array(0),
      labels: new Int32Array(0),
      imageOffsets: none,
      images: { bytes: new Uint8Array(0), offsets: new Int32Array(1) },
      imageTokens: new Int32Array(0),
    },
  };
}
