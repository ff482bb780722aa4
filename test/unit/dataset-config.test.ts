import { describe, expect, it } from 'vitest';
import { resolveDatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { relativePathProblem } from '../../lib/core/dataset/relative-path.js';

const VALID = {
  name: 'llava-sft',
  sources: [{ path: 'data/llava_v1_5_mix665k.json' }],
  tokenizer: { npm: 'llama2' },
  template: { name: 'vicuna_v1' },
  shard: { seed: 1, worldSize: 64, perDeviceBatchSize: 4 },
};

const fieldOf = (input: unknown): string => {
  try {
    resolveDatasetConfig(input);
  } catch (error) {
    return (error as { field: string }).field;
  }
  throw new Error('expected an error');
};

describe('dataset.json', () => {
  it('fills defaults and resolves the shard spec', () => {
    const { config, shard } = resolveDatasetConfig(VALID);
    expect(config.imageTokens).toEqual({ kind: 'fixed', tokensPerImage: 576 });
    expect(config.sources[0]!.format).toBe('auto');
    expect(config.maxLength).toBe(2048);
    expect(shard.strategy.id).toBe('balanced@1');
  });

  it.each([
    ['../other/x.json', 'climbs out'],
    ['/etc/passwd', 'absolute'],
    ['s3://other-bucket/x.json', 'scheme'],
    ['a\\b.json', 'backslash'],
    ['a//b.json', 'empty'],
    ['./a.json', 'empty or "."'],
  ])('refuses the source path %j', (path, why) => {
    expect(relativePathProblem(path)).toContain(why);
    expect(fieldOf({ ...VALID, sources: [{ path }] })).toBe('dataset.json.sources.0.path');
  });

  it('names nested fields: shard spec, unknown keys, template', () => {
    expect(fieldOf({ ...VALID, shard: { ...VALID.shard, worldSize: 0 } })).toBe('dataset.json.shard.worldSize');
    expect(fieldOf({ ...VALID, extra: 1 })).toBe('dataset.json');
    expect(fieldOf({ ...VALID, template: { name: 'nope' } })).toBe('dataset.json.template.name');
    expect(fieldOf({ ...VALID, sources: [] })).toBe('dataset.json.sources');
  });
});
