/**
 * Source identity by blocks: a source of one block keeps the identity (and so the run id) it had
 * when Prepare hashed every byte; a larger one is a hash list of its blocks, the same whether the
 * blocks were hashed by a fan-out or in one process, and wherever the bytes sit.
 */
import { describe, expect, it } from 'vitest';
import { planSourceBlocks, sourceIdentities } from '../../lib/core/dataset/source-blocks.js';
import { sha256Hex } from '../../lib/core/fingerprint.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { hashSourceBlock, identifySources, planSourceHashes, SOURCE_BLOCKS_KEY } from '../../lib/run/prepare/source-hashes.js';
import { sourceBlockSchema } from '../../lib/core/dataset/source-blocks.js';
import type { DatasetConfig } from '../../lib/core/dataset/dataset-config.js';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function config(blockBytes?: number): DatasetConfig {
  return {
    sources: [{ path: 'a.jsonl' }, { path: 'b.jsonl' }],
    ...(blockBytes === undefined ? {} : { tuning: { hashBytesPerCall: blockBytes } }),
  } as unknown as DatasetConfig;
}

async function dataset(location: string): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore(location);
  await store.put('a.jsonl', bytes(1000, 1));
  await store.put('b.jsonl', bytes(70, 2));
  return store;
}

describe('source blocks', () => {
  it('plans blocks that cover every byte once, an empty source as one empty block', () => {
    expect(
      planSourceBlocks(
        [
          { path: 'a', bytes: 25 },
          { path: 'e', bytes: 0 },
        ],
        10,
      ).map((b) => [b.source, b.block, b.start, b.end]),
    ).toEqual([
      [0, 0, 0, 10],
      [0, 1, 10, 20],
      [0, 2, 20, 25],
      [1, 0, 0, 0],
    ]);
  });

  it('keeps the whole-file sha256 for a source of one block (the run id datasets always had)', async () => {
    const store = await dataset('memory://folder/');
    const identities = await identifySources(store, config());
    expect(identities).toEqual([
      { path: 'a.jsonl', bytes: 1000, sha256: sha256Hex(bytes(1000, 1)) },
      { path: 'b.jsonl', bytes: 70, sha256: sha256Hex(bytes(70, 2)) },
    ]);
  });

  it('names a larger source by its hash list: the same from a fan-out and in one process, in a folder or a bucket', async () => {
    const folder = await dataset('memory://folder/');
    const bucket = await dataset('s3://bucket/copy/');
    const stage = new MemoryObjectStore('memory://stage/');
    await planSourceHashes(bucket, config(128), stage);
    const blocks = sourceBlockSchema.array().parse(JSON.parse(new TextDecoder().decode(await stage.get(SOURCE_BLOCKS_KEY))));
    expect(blocks).toHaveLength(8 + 1);
    for (const block of [...blocks].reverse()) await hashSourceBlock(bucket, block, stage);
    const fannedOut = await identifySources(bucket, config(128), stage);
    expect(fannedOut).toEqual(await identifySources(folder, config(128)));
    expect(fannedOut[0]).toMatchObject({ path: 'a.jsonl', bytes: 1000, blockBytes: 128, blocksSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(fannedOut[1]).toEqual({ path: 'b.jsonl', bytes: 70, sha256: sha256Hex(bytes(70, 2)) });
    expect((await identifySources(folder, config(256)))[0]).not.toEqual(fannedOut[0]);
  });

  it('refuses blocks that are not exactly the planned ones', () => {
    const sources = [{ path: 'a', bytes: 20 }];
    const [first, second] = planSourceBlocks(sources, 10).map((b) => ({ ...b, sha256: '0'.repeat(64) }));
    expect(() => sourceIdentities(sources, 10, [first!])).toThrow(/1 hashed blocks for 2 planned: rerun HashSources/);
    expect(() => sourceIdentities(sources, 10, [first!, { ...second!, end: 19 }])).toThrow(/block 1 of a \(\[10, 20\)\) was not hashed as planned/);
  });
});
