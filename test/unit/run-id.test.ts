/**
 * The run id: a pure function of the resolved config, the tokenizer and the sources' content —
 * spelling a default out changes nothing, any input byte that matters changes it.
 */
import { describe, expect, it } from 'vitest';
import { resolveDatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { hashObject } from '../../lib/run/hash-object.js';
import { fingerprintRun, runIdOf } from '../../lib/run/prepare/run-id.js';
import { createHash } from 'node:crypto';

const CONFIG = {
  name: 'tiny',
  sources: [{ path: 'data/train.jsonl' }],
  tokenizer: { npm: 'llama3' },
  template: { name: 'llama3' },
  shard: { strategy: 'balanced', seed: 1, epochs: 1, worldSize: 8, perDeviceBatchSize: 4 },
};
const SOURCE = { path: 'data/train.jsonl', bytes: 10, sha256: 'a'.repeat(64) };

function runId(config: unknown, overrides: { tokenizer?: string; sha256?: string } = {}): string {
  const { config: parsed, shard } = resolveDatasetConfig(config);
  return runIdOf(
    fingerprintRun({
      config: parsed,
      shard,
      tokenizerFingerprint: overrides.tokenizer ?? 'tok',
      sources: [{ ...SOURCE, sha256: overrides.sha256 ?? SOURCE.sha256 }],
    }),
  );
}

describe('run id', () => {
  it('is 24 lowercase hex digits and the same for the same inputs, defaults spelled out or not', () => {
    const id = runId(CONFIG);
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(runId(structuredClone(CONFIG))).toBe(id);
    expect(runId({ ...CONFIG, maxLength: 2048, imageRoot: 'images', sources: [{ path: 'data/train.jsonl', format: 'auto' }] })).toBe(id);
  });

  it('changes with the content of a source, the tokenizer, the template or the shard spec', () => {
    const id = runId(CONFIG);
    expect(runId(CONFIG, { sha256: 'b'.repeat(64) })).not.toBe(id);
    expect(runId(CONFIG, { tokenizer: 'other' })).not.toBe(id);
    expect(runId({ ...CONFIG, template: { name: 'chatml' } })).not.toBe(id);
    expect(runId({ ...CONFIG, shard: { ...CONFIG.shard, seed: 2 } })).not.toBe(id);
    expect(runId({ ...CONFIG, chunkBytes: 1000 })).not.toBe(id);
  });

  it('keeps the id of configs written before imageCheck and maxRejectedFraction existed', () => {
    // The id of CONFIG under megashard-run/2 before either field existed: a defaulted field in the
    // fingerprint would rename every existing run (the demo's included).
    expect(runId(CONFIG)).toBe('f2b8e4b77563b07a4c05e673');
    expect(runId({ ...CONFIG, imageCheck: 'header' })).toBe(runId(CONFIG));
    // The reject budget gates the run and changes no output: raising it resumes the same run.
    expect(runId({ ...CONFIG, maxRejectedFraction: 0.5 })).toBe(runId(CONFIG));
    // Another check level can reject other records: another run.
    expect(runId({ ...CONFIG, imageCheck: 'decode' })).not.toBe(runId(CONFIG));
    expect(runId({ ...CONFIG, imageCheck: 'exists' })).not.toBe(runId({ ...CONFIG, imageCheck: 'decode' }));
  });
});

describe('hashObject', () => {
  it('is the SHA-256 of the whole object, read in ranged blocks (empty, one block, several blocks)', async () => {
    const store = new MemoryObjectStore();
    const reads: Array<[number, number]> = [];
    const getRange = store.getRange.bind(store);
    store.getRange = async (key, start, end) => {
      reads.push([start, end]);
      return getRange(key, start, end);
    };
    for (const size of [0, 5, 8 * 1024 * 1024, 8 * 1024 * 1024 * 2 + 3]) {
      const body = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
      await store.put(`o${size}`, body);
      reads.length = 0;
      expect(await hashObject(store, `o${size}`)).toEqual({ bytes: size, sha256: createHash('sha256').update(body).digest('hex') });
      expect(reads.every(([start, end]) => end - start <= 8 * 1024 * 1024)).toBe(true);
      expect(reads).toHaveLength(Math.ceil(size / (8 * 1024 * 1024)));
    }
  });

  it('refuses an object that ends before its announced size (changed while being read)', async () => {
    const store = new MemoryObjectStore();
    await store.put('short', new Uint8Array(10));
    await expect(hashObject(store, 'short', 20)).rejects.toMatchObject({ name: 'CorruptArtifact' });
  });
});
