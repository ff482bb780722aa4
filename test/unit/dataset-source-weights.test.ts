import { describe, expect, it } from 'vitest';
import { resolveDatasetConfig, shardSpecOf } from '../../lib/core/dataset/dataset-config.js';

const config = (sources: unknown[], shard: Record<string, unknown> = {}) => ({
  name: 'mix',
  sources,
  tokenizer: { npm: 'llama3' },
  template: { name: 'llama3' },
  shard: { seed: 1, worldSize: 8, perDeviceBatchSize: 4, ...shard },
});

const errorOf = (input: unknown): { name: string; field: string; message: string } => {
  try {
    resolveDatasetConfig(input);
  } catch (error) {
    return error as { name: string; field: string; message: string };
  }
  throw new Error('expected an error');
};

describe('source weights in dataset.json', () => {
  it('become the shard spec mixture, keyed by source path; no weights, no mixture', () => {
    const weighted = resolveDatasetConfig(config([{ path: 'a.jsonl', repeat: 2.5 }, { path: 'b.jsonl', proportion: 0.2 }, { path: 'c.jsonl' }]));
    expect(weighted.shard.spec.mixture).toEqual({ 'a.jsonl': { repeat: 2.5 }, 'b.jsonl': { proportion: 0.2 } });
    const plain = resolveDatasetConfig(config([{ path: 'a.jsonl' }]));
    expect(plain.shard.spec.mixture).toBeUndefined();
    expect(shardSpecOf(plain.config)).toBe(plain.config.shard);
  });

  it('refuse two forms on one source, naming the source and the field', () => {
    const error = errorOf(config([{ path: 'a.jsonl', repeat: 2, samples: 10 }]));
    expect(error.name).toBe('InvalidInput');
    expect(error.message).toMatch(/sources\.0\.samples: give one of repeat, samples, proportion; this source has repeat and samples/);
  });

  it('refuse a negative or non-finite weight', () => {
    expect(errorOf(config([{ path: 'a.jsonl', repeat: -1 }])).message).toMatch(/sources\.0\.repeat/);
    expect(errorOf(config([{ path: 'a.jsonl', samples: 1.5 }])).message).toMatch(/sources\.0\.samples/);
    expect(errorOf(config([{ path: 'a.jsonl', proportion: 1 }])).message).toMatch(/sources\.0\.proportion/);
  });

  it('refuse proportions no epoch can satisfy, before any data is read', () => {
    expect(errorOf(config([{ path: 'a.jsonl', proportion: 0.6 }, { path: 'b.jsonl', proportion: 0.5 }, { path: 'c.jsonl' }])).field).toBe(
      'dataset.json.sources.0.proportion',
    );
    expect(errorOf(config([{ path: 'a.jsonl', proportion: 0.5 }, { path: 'b.jsonl', proportion: 0.5 }, { path: 'c.jsonl' }])).message).toMatch(
      /must sum below 1/,
    );
    expect(
      errorOf(
        config([
          { path: 'a.jsonl', proportion: 0.3 },
          { path: 'b.jsonl', proportion: 0.3 },
        ]),
      ).message,
    ).toMatch(/must sum to 1/);
  });

  it('refuse weights in both places', () => {
    const error = errorOf(config([{ path: 'a.jsonl', repeat: 2 }], { mixture: { 'a.jsonl': { repeat: 3 } } }));
    expect(error.field).toBe('dataset.json.shard.mixture');
  });
});
