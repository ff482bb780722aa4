/**
 * What writing a run's shards reads once per call: the plan's root manifest, the length index the
 * plan was made from, and — when the run was tokenized — where every tokens file's rows begin.
 */
import { INDEX_KEY, TOKENIZE_MANIFEST_KEY } from '../../core/run-layout.js';
import { z } from 'zod';
import { decodeLengthIndex } from '../../arrow/index.js';
import { CorruptArtifactError, InvalidInputError } from '../../core/errors.js';
import type { LengthIndex } from '../../core/index/length-index.js';
import type { PlanManifest } from '../../core/plan/manifest.js';
import type { ShardVariant } from '../../core/shards/shard-layout.js';
import type { ObjectStore } from '../../io/object-store.js';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import { readPlanRoot } from '../plan/read-planned-rank.js';

/** `tokenize.json` of a run, as far as shards need it (the rest is the tokenizer's business). */
const tokenizeManifestSchema = z.looseObject({
  kind: z.literal('tokenize-manifest'),
  tokenizerFingerprint: z.string().min(1),
  index: z.looseObject({ fingerprint: z.string().min(1) }),
  chunks: z.array(z.looseObject({ samples: z.number().int().min(0), keys: z.looseObject({ tokens: z.string().min(1) }) })),
});

/** The run's tokens files in part order: `tokens_row` r lives in file f where rowStarts[f] ≤ r < rowStarts[f+1]. */
export interface TokensFiles {
  readonly keys: readonly string[];
  /** keys.length + 1 row offsets. */
  readonly rowStarts: Float64Array;
  readonly tokenizerFingerprint: string;
}

/** Everything a shard writer needs besides the plan's rank files. */
export interface ShardRunInputs {
  readonly run: ObjectStore;
  readonly planRoot: PlanManifest;
  readonly index: LengthIndex;
  /** Absent when the index has no tokens (tokens_row = -1): then only index-only shards are written. */
  readonly tokens?: TokensFiles;
  readonly variants: readonly ShardVariant[];
}

const TOKENIZE_KEY = TOKENIZE_MANIFEST_KEY;

/**
 * Read the plan root, the index (its fingerprint must be the plan's) and tokenize.json if the run
 * has one; decide the variants: both when the index points at tokens, index-only when it does not.
 */
export async function loadShardRunInputs(run: ObjectStore): Promise<ShardRunInputs> {
  const planRoot = await readPlanRoot(run);
  const where = `${run.location}/${INDEX_KEY}`;
  const { index, metadata } = decodeLengthIndex(await run.get(INDEX_KEY), where);
  if (metadata.fingerprint !== planRoot.indexFingerprint) {
    throw new CorruptArtifactError(
      where,
      `has fingerprint ${metadata.fingerprint.slice(0, 12)}…; the plan was made from ${planRoot.indexFingerprint.slice(0, 12)}…: re-plan the run`,
    );
  }
  const tokens = (await run.exists(TOKENIZE_KEY)) ? await readTokensFiles(run, metadata.fingerprint) : undefined;
  checkTokensRows(index, tokens !== undefined, where);
  return { run, planRoot, index, ...(tokens ? { tokens } : {}), variants: tokens ? ['tokens', 'index'] : ['index'] };
}

async function readTokensFiles(run: ObjectStore, indexFingerprint: string): Promise<TokensFiles> {
  const where = `${run.location}/${TOKENIZE_KEY}`;
  const manifest = parseJsonArtifact(await run.get(TOKENIZE_KEY), tokenizeManifestSchema, where);
  if (manifest.index.fingerprint !== indexFingerprint) {
    throw new CorruptArtifactError(where, `describes index ${manifest.index.fingerprint.slice(0, 12)}…; ${INDEX_KEY} is ${indexFingerprint.slice(0, 12)}…`);
  }
  const rowStarts = new Float64Array(manifest.chunks.length + 1);
  manifest.chunks.forEach((chunk, f) => (rowStarts[f + 1] = rowStarts[f]! + chunk.samples));
  return { keys: manifest.chunks.map((chunk) => chunk.keys.tokens), rowStarts, tokenizerFingerprint: manifest.tokenizerFingerprint };
}

/** Every row must agree with the run: tokens rows when it was tokenized, -1 when it was not. */
function checkTokensRows(index: LengthIndex, tokenized: boolean, where: string): void {
  for (let id = 0; id < index.sampleCount; id++) {
    const row = index.tokensRow[id]!;
    if (tokenized && row < 0)
      throw new CorruptArtifactError(where, `tokens_row[${id}] is -1 (no tokens), but the run has ${TOKENIZE_KEY}: every sample should have tokens`);
    if (!tokenized && row >= 0)
      throw new InvalidInputError('run', `${where} tokens_row[${id}] is ${row}, but the run has no ${TOKENIZE_KEY} to find the tokens files in`);
  }
}
