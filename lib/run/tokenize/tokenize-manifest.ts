/**
 * `tokenize.json`: what a run was tokenized with and every chunk's outputs in part order. One
 * builder for both writers — the local `megashard tokenize` and the pipeline's MergeIndex — so
 * shards (lib/run/shard-run-inputs.ts) read one format whichever way the run was made.
 */
import { DUPLICATES_KEY, INDEX_KEY, TOKENIZE_MANIFEST_KEY } from '../../core/run-layout.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { canonicalJson, fingerprintLengthIndex } from '../../core/fingerprint.js';
import type { MergedIndex } from '../../core/tokenize/merge-index-parts.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { ChunkSummary } from './tokenize-chunk.js';

/** The tokenize manifest: what was tokenized with what, and every chunk's outputs. */
export interface TokenizeManifest {
  readonly kind: 'tokenize-manifest';
  readonly formatVersion: 1;
  readonly dataset: string;
  readonly tokenizerFingerprint: string;
  readonly template: unknown;
  readonly imageTokens: unknown;
  /** Samples in the merged index (duplicates removed). */
  readonly samples: number;
  /** Records rejected in chunks, plus duplicate ids removed at the merge. */
  readonly rejects: number;
  readonly tokens: number;
  /** The merged length index and the duplicates file, relative to the output folder. */
  readonly index: { readonly key: string; readonly fingerprint: string; readonly duplicatesKey: string; readonly duplicates: number };
  /** In part order: the order the merge read the index parts, which is the order of tokens_row. */
  readonly chunks: readonly ChunkSummary[];
}

/** The manifest of a merged run: chunks in the part order the merge used. */
export function buildTokenizeManifest(
  config: DatasetConfig,
  tokenizerFingerprint: string,
  chunks: readonly ChunkSummary[],
  merged: MergedIndex,
): TokenizeManifest {
  return {
    kind: 'tokenize-manifest',
    formatVersion: 1,
    dataset: config.name,
    tokenizerFingerprint,
    template: JSON.parse(canonicalJson(config.template)),
    imageTokens: JSON.parse(canonicalJson(config.imageTokens)),
    samples: merged.index.sampleCount,
    rejects: chunks.reduce((sum, c) => sum + c.rejects, 0) + merged.duplicates.length,
    tokens: chunks.reduce((sum, c) => sum + c.tokens, 0),
    index: { key: INDEX_KEY, fingerprint: fingerprintLengthIndex(merged.index), duplicatesKey: DUPLICATES_KEY, duplicates: merged.duplicates.length },
    chunks,
  };
}

/** Write the manifest (after the index it describes). */
export async function writeTokenizeManifest(out: ObjectStore, manifest: TokenizeManifest): Promise<void> {
  await out.put(TOKENIZE_MANIFEST_KEY, `${JSON.stringify(manifest, null, 2)}\n`);
}
