import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { RELATIVE_PATH_PATTERN, relativePathProblem } from '../../lib/core/dataset/relative-path.js';
import { datasetJsonSchema } from '../../lib/core/dataset/dataset-json-schema.js';
import { resolveDatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { listStrategies } from '../../lib/core/strategies/registry.js';
import { runCli } from '../helpers/run-cli.js';

const validConfig = (shard: Record<string, unknown>) => ({
  name: 'demo',
  sources: [{ path: 'data/train.json', format: 'llava' }],
  tokenizer: { npm: 'llama2' },
  template: { name: 'vicuna_v1' },
  shard,
});

const zodAccepts = (config: unknown) => {
  try {
    resolveDatasetConfig(config);
    return true;
  } catch {
    return false;
  }
};

describe('dataset.json JSON Schema', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(datasetJsonSchema());

  it('is what docs/dataset.schema.json publishes and `megashard schema` prints', async () => {
    const published = await readFile(new URL('../../docs/dataset.schema.json', import.meta.url), 'utf8');
    const printed = await runCli(['schema']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(published);
    expect(JSON.parse(published)).toEqual(datasetJsonSchema());
  });

  it('accepts what zod accepts, for every strategy', () => {
    for (const strategy of listStrategies()) {
      const name = strategy.id.split('@')[0]!;
      for (const strategyField of [name, strategy.id]) {
        const config = validConfig({ strategy: strategyField, seed: '18446744073709551615', worldSize: 8, perDeviceBatchSize: 4 });
        expect(zodAccepts(config), strategyField).toBe(true);
        expect(validate(config), `${strategyField}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    for (const packing of [
      { maxTokens: 8192 },
      { strategy: 'balanced-pack@1', maxTokens: 4096, maxImagesPerPack: 4, overLength: 'reject' },
      { strategy: 'xtuner-v1-soft-pack', maxTokens: 4096, extraBufferSize: 20 },
    ]) {
      const config = validConfig({ seed: 3, worldSize: 8, packing });
      expect(zodAccepts(config), JSON.stringify(packing)).toBe(true);
      expect(validate(config), `${JSON.stringify(packing)}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const defaulted = { $schema: './dataset.schema.json', ...validConfig({ seed: 7, worldSize: 2, perDeviceBatchSize: 1 }) };
    expect(zodAccepts(defaulted) && validate(defaulted)).toBe(true);
  });

  it.each([
    ['a source path climbing out with ..', { ...validConfig({ seed: 1, worldSize: 1, perDeviceBatchSize: 1 }), sources: [{ path: '../x.json' }] }],
    ['a source in another bucket', { ...validConfig({ seed: 1, worldSize: 1, perDeviceBatchSize: 1 }), sources: [{ path: 's3://other/x.json' }] }],
    ['an absolute source path', { ...validConfig({ seed: 1, worldSize: 1, perDeviceBatchSize: 1 }), sources: [{ path: '/etc/passwd' }] }],
    ['an unknown top-level key', { ...validConfig({ seed: 1, worldSize: 1, perDeviceBatchSize: 1 }), extra: true }],
    ['a shard spec without worldSize', validConfig({ seed: 1, perDeviceBatchSize: 1 })],
    ['a seed that is not an integer', validConfig({ seed: '1.5', worldSize: 1, perDeviceBatchSize: 1 })],
    ['an unknown strategy', validConfig({ strategy: 'random', seed: 1, worldSize: 1, perDeviceBatchSize: 1 })],
    ['an option of another strategy', validConfig({ strategy: 'torch-distributed', seed: 1, worldSize: 1, perDeviceBatchSize: 1, megaBatchMult: 4 })],
    [
      'packing with an ordering strategy',
      validConfig({ strategy: 'llava-length-grouped', seed: 1, worldSize: 1, perDeviceBatchSize: 1, packing: { maxTokens: 64 } }),
    ],
    ['packing with maxTokens 0', validConfig({ seed: 1, worldSize: 1, packing: { maxTokens: 0 } })],
    ['packing with an image cap of 0', validConfig({ seed: 1, worldSize: 1, packing: { maxTokens: 64, maxImagesPerPack: 0 } })],
    ['packing with hard packing', validConfig({ seed: 1, worldSize: 1, packing: { strategy: 'xtuner-v1-hard-pack', maxTokens: 64 } })],
    ['an xtuner packing option under balanced-pack', validConfig({ seed: 1, worldSize: 1, packing: { maxTokens: 64, chunkSize: 10 } })],
    ['no sources', { ...validConfig({ seed: 1, worldSize: 1, perDeviceBatchSize: 1 }), sources: [] }],
  ])('rejects %s, as zod does', (_why, config) => {
    expect(zodAccepts(config)).toBe(false);
    expect(validate(config)).toBe(false);
  });
});

describe('the relative-path pattern of the JSON Schema', () => {
  const pattern = new RegExp(RELATIVE_PATH_PATTERN, 'u');
  const agree = (path: string): void => {
    expect(pattern.test(path), JSON.stringify(path)).toBe(relativePathProblem(path) === undefined);
  };

  it('agrees with the zod rule on hand-picked paths', () => {
    for (const path of [
      'a',
      'data/train.json',
      '...',
      'a/.../b',
      '.hidden/x',
      'x..y',
      '',
      '/a',
      'a//b',
      'a/./b',
      'a/..',
      '..',
      'a\\b',
      's3://b/k',
      'C:x',
      'a:b',
      '1a:b',
      'dir/a:b',
    ])
      agree(path);
  });

  it('agrees with the zod rule on generated paths', () => {
    const piece = fc.constantFrom('a', 'b1', '.', '..', '...', '', 'x.json', ':', 's3:', '\\\\', 'é', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 5 }), fc.boolean(), (pieces, leadingSlash) => agree(`${leadingSlash ? '/' : ''}${pieces.join('/')}`)),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 12 }), agree), { numRuns: 2000 });
  });
});
