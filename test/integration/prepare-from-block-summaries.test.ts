/**
 * Prepare plans a JSON-array source from the block summaries HashSources recorded (issue 10:
 * every stage's read bounded by its budget): the chunk list is the one a whole scan gives, and
 * Prepare reads no source bytes beyond the head it detects the format from.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNKS_KEY } from '../../lib/core/run-layout.js';
import { sourceBlockSchema } from '../../lib/core/dataset/source-blocks.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { prepareRun } from '../../lib/run/prepare/prepare-run.js';
import { HEAD_BYTES } from '../../lib/run/prepare/detect-source.js';
import { hashSourceBlock, planSourceHashes, SOURCE_BLOCKS_KEY } from '../../lib/run/prepare/source-hashes.js';
import { readDatasetConfig } from '../../lib/run/read-dataset-config.js';
import { CountingStore } from '../helpers/counting-store.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const LONG = 120_000;
const SOURCE = 'data/blip_laion_cc_sbu_558k.json';
let tmp: string;
let dataset: string;

beforeAll(async () => {
  tmp = await makeTempDir('prepare-summaries');
  dataset = join(tmp, 'llava');
  const synth = await runCli(['synth', 'llava-pretrain', '--samples', '1500', '--seed', '3', '--out', dataset]);
  expect(synth.code, synth.stderr).toBe(0);
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8')) as Record<string, unknown>;
  // Blocks that cut records anywhere (inside strings, escapes, numbers), and many grid points per block.
  await writeFile(join(dataset, 'dataset.json'), JSON.stringify({ ...config, chunkBytes: 3001, tuning: { hashBytesPerCall: 4_099 } }));
}, LONG);
afterAll(() => removeTempDir(tmp));

/** Run PlanSourceHashes and every HashSource call (the fan-out) into a staging store. */
async function fanOut(store: FsObjectStore): Promise<MemoryObjectStore> {
  const stage = new MemoryObjectStore();
  const { config } = await readDatasetConfig(store);
  await planSourceHashes(store, config, stage);
  const blocks = sourceBlockSchema.array().parse(JSON.parse(new TextDecoder().decode(await stage.get(SOURCE_BLOCKS_KEY))));
  expect(blocks.length).toBeGreaterThan(10);
  expect(blocks.every((block) => block.arrayChunkBytes === 3001)).toBe(true);
  for (const block of blocks) await hashSourceBlock(store, block, stage);
  return stage;
}

/** The chunk list a Prepare wrote into a run folder under `runs`. */
const chunksOf = async (runs: string, runId: string): Promise<unknown> => JSON.parse(await readFile(join(runs, runId, CHUNKS_KEY), 'utf8'));
const runsUnder = (runs: string) => (runId: string) => new FsObjectStore(join(runs, runId));

describe('Prepare with the HashSources fan-out', () => {
  it(
    'plans a JSON array from block summaries: the whole scan’s chunks, with only the head of the source read',
    async () => {
      const folder = new FsObjectStore(dataset);
      const stage = await fanOut(folder);
      const counting = new CountingStore(folder);
      const fannedOut = await prepareRun(counting, runsUnder(join(tmp, 'fanned-out')), undefined, stage);
      const alone = await prepareRun(folder, runsUnder(join(tmp, 'alone')));
      expect(fannedOut.wholeScans).toBeUndefined();
      expect(fannedOut.runId).toBe(alone.runId);
      expect(fannedOut.chunks).toBeGreaterThan(100);
      expect(await chunksOf(join(tmp, 'fanned-out'), fannedOut.runId)).toEqual(await chunksOf(join(tmp, 'alone'), alone.runId));

      expect((await stat(join(dataset, SOURCE))).size).toBeGreaterThan(HEAD_BYTES); // so a head read is not the whole source
      const sourceReads = counting.reads.filter((read) => read.key === SOURCE);
      expect(sourceReads.length).toBeGreaterThan(0);
      for (const read of sourceReads) expect(read.start === 0 && read.end <= HEAD_BYTES).toBe(true);
    },
    LONG,
  );
});
