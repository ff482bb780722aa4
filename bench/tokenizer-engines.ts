/**
 * `npm run bench:tokenizers`: the two native Hugging Face bindings on npm (the official
 * `tokenizers` and `@anush008/tokenizers`) and the pure-JS `@huggingface/tokenizers`, encoding
 * the same Brown Corpus texts with the same tokenizer.json, interleaved in one process (medians of
 * 3 runs), ids checked equal. Prints one JSON line per tokenizer and engine.
 * Kept out of the CLI because `@anush008/tokenizers` is only a development dependency.
 */
import { performance } from 'node:perf_hooks';
import { Tokenizer as Official } from 'tokenizers';
import { Tokenizer as Anush } from '@anush008/tokenizers';
import { npmTokenizerFiles } from '../lib/tokenizers/npm-tokenizers.js';
import { createHfJsTokenizer } from '../lib/tokenizers/hf-js-tokenizer.js';
import { loadBrownSentences } from '../lib/synth/brown-corpus.js';

const BATCH = 256;
type NativeLike = { encodeBatch(texts: string[], options: { addSpecialTokens: boolean }): Promise<Array<{ getIds(): number[] }>> };

async function encodeAll(encode: (batch: string[]) => Promise<number[][]>, texts: string[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += BATCH) out.push(...(await encode(texts.slice(i, i + BATCH))));
  return out;
}

const native = (tokenizer: NativeLike) => async (batch: string[]) =>
  (await tokenizer.encodeBatch(batch, { addSpecialTokens: false })).map((encoding) => encoding.getIds());

const sentences = await loadBrownSentences();
// ~4 MB of paragraphs of 5 sentences: the shape of conversation turns.
const texts: string[] = [];
for (let i = 0; i + 5 <= sentences.length && texts.length < 11_000; i += 5) texts.push(sentences.slice(i, i + 5).join(' '));
const megabytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0) / 1e6;

for (const name of ['llama2', 'llama3']) {
  const files = await npmTokenizerFiles(name);
  const json = typeof files.tokenizerJson === 'string' ? files.tokenizerJson : new TextDecoder().decode(files.tokenizerJson);
  const js = await createHfJsTokenizer(files);
  const engines: Record<string, (batch: string[]) => Promise<number[][]>> = {
    'tokenizers (official)': native(Official.fromString(json) as unknown as NativeLike),
    '@anush008/tokenizers': native(Anush.fromString(json) as unknown as NativeLike),
    '@huggingface/tokenizers (pure JS)': async (batch) => (await js.encodeBatch(batch)).map((ids) => Array.from(ids)),
  };
  const seconds: Record<string, number[]> = {};
  let reference: string | undefined;
  for (let run = 0; run < 3; run++) {
    for (const [engine, encode] of Object.entries(engines)) {
      if (engine.includes('pure JS') && run > 0) continue; // 20× slower: one run is enough
      const started = performance.now();
      const ids = await encodeAll(encode, texts);
      (seconds[engine] ??= []).push((performance.now() - started) / 1000);
      const digest = JSON.stringify(ids.slice(0, 500));
      if (reference === undefined) reference = digest;
      else if (digest !== reference) throw new Error(`${engine} gave different ids than the first engine for ${name}`);
    }
  }
  for (const [engine, runs] of Object.entries(seconds)) {
    const median = [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
    process.stdout.write(
      `${JSON.stringify({ tokenizer: name, engine, megabytes: Math.round(megabytes * 100) / 100, seconds: Math.round(median * 1000) / 1000, mbPerSecond: Math.round((megabytes / median) * 100) / 100 })}\n`,
    );
  }
}
