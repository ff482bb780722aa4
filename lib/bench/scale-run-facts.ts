/**
 * What `bench scale` reports about each run besides its requests: the corpus it read, the tokens
 * it wrote (every tokens file of the run: what the shard stages shuffle) and its image references.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeLengthIndex } from '../arrow/index.js';
import { INDEX_KEY, TOKENIZE_MANIFEST_KEY } from '../core/run-layout.js';

const datasetSources = z.looseObject({ sources: z.array(z.looseObject({ path: z.string() })) });
const tokensFiles = z.looseObject({ chunks: z.array(z.looseObject({ keys: z.looseObject({ tokens: z.string() }) })) });

/** Corpus bytes, tokens-file bytes and image references (of the indexed samples) of a finished run. */
export async function scaleRunFacts(dataset: string, runLocation: string): Promise<{ corpusBytes: number; tokenBytes: number; imageReferences: number }> {
  const { sources } = datasetSources.parse(JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8')));
  const { chunks } = tokensFiles.parse(JSON.parse(await readFile(join(runLocation, TOKENIZE_MANIFEST_KEY), 'utf8')));
  const { index } = decodeLengthIndex(new Uint8Array(await readFile(join(runLocation, INDEX_KEY))), INDEX_KEY);
  let imageReferences = 0;
  for (let id = 0; id < index.sampleCount; id++) imageReferences += index.numImages[id]!;
  return {
    corpusBytes: await sizeOf(sources.map((source) => join(dataset, source.path))),
    tokenBytes: await sizeOf(chunks.map((chunk) => join(runLocation, chunk.keys.tokens))),
    imageReferences,
  };
}

async function sizeOf(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths) total += (await stat(path)).size;
  return total;
}
