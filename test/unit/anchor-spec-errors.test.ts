import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { resolveShardSpec } from '../../lib/core/spec/resolve-shard-spec.js';
import { parseGoldenInput, replayGolden } from '../../lib/core/replay/replay-golden.js';

const ANCHOR_STRATEGIES = [
  'torch-distributed@1',
  'hf-length-grouped@1',
  'xtuner-length-grouped@1',
  'llava-length-grouped@1',
  'llava-modality-length-grouped@1',
];

const valid = { seed: 42, worldSize: 8, perDeviceBatchSize: 4 };

/** Resolve a spec and return the InvalidInputError it must raise. */
function invalidInput(input: unknown): InvalidInputError {
  try {
    resolveShardSpec(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe.each(ANCHOR_STRATEGIES)('%s spec validation', (strategy) => {
  it('accepts a minimal spec and resolves the versioned id and defaults', () => {
    const { spec } = resolveShardSpec({ strategy: strategy.split('@')[0], ...valid });
    expect(spec.strategy).toBe(strategy);
    expect(spec.seed).toBe(42n);
    expect(spec.gradientAccumulation).toBe(1);
  });

  it('worldSize 0 names spec.worldSize', () => {
    const error = invalidInput({ strategy, ...valid, worldSize: 0 });
    expect(error.field).toBe('spec.worldSize');
    expect(error.message).toMatch(/worldSize must be ≥ 1/);
  });

  it('an unknown field is named', () => {
    const error = invalidInput({ strategy, ...valid, megaBatchMultiplier: 2 });
    expect(error.field).toBe('spec');
    expect(error.message).toContain('megaBatchMultiplier');
  });

  it.each([
    ['seed -1', -1, /outside \[0, 2\^64\)/],
    ['seed 2^64 as a string', '18446744073709551616', /outside \[0, 2\^64\)/],
    ['a fractional seed', 1.5, /not an exact integer/],
  ])('%s names spec.seed', (_, seed, message) => {
    const error = invalidInput({ strategy, ...valid, seed });
    expect(error.field).toBe('spec.seed');
    expect(error.message).toMatch(message);
  });

  it('the largest seed, 2^64 − 1, is accepted as a decimal string', () => {
    expect(resolveShardSpec({ strategy, ...valid, seed: '18446744073709551615' }).spec.seed).toBe(2n ** 64n - 1n);
  });
});

describe('strategy-specific fields', () => {
  it.each(['xtuner-length-grouped@1', 'hf-length-grouped@1'])('%s: megaBatchMult 0 names spec.megaBatchMult', (strategy) => {
    const error = invalidInput({ strategy, ...valid, megaBatchMult: 0 });
    expect(error.field).toBe('spec.megaBatchMult');
    expect(error.message).toMatch(/megaBatchMult must be ≥ 1/);
  });

  it('a field of another strategy is rejected (LLaVA takes no megaBatchMult)', () => {
    expect(invalidInput({ strategy: 'llava-length-grouped@1', ...valid, megaBatchMult: 2 }).message).toContain('megaBatchMult');
  });

  it('xtuner roundUp and torch dropLast must be booleans', () => {
    expect(invalidInput({ strategy: 'xtuner-length-grouped@1', ...valid, roundUp: 'yes' }).field).toBe('spec.roundUp');
    expect(invalidInput({ strategy: 'torch-distributed@1', ...valid, dropLast: 1 }).field).toBe('spec.dropLast');
  });
});

describe('golden-file input validation', () => {
  const xtuner = {
    anchor: 'xtuner.LengthGroupedSampler',
    params: { world_size: 2, per_device_batch_size: 2, mega_batch_mult: null, seed: 0, epoch: 0, round_up: true },
    lengths: [3, -1, 2],
  };

  function goldenError(input: unknown): InvalidInputError {
    try {
      parseGoldenInput(input, 'case.json');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      return error as InvalidInputError;
    }
    throw new Error('expected the golden input to be rejected');
  }

  it('accepts a valid input and ignores expected-output fields', () => {
    expect(parseGoldenInput({ ...xtuner, ranks: 'not read' }, 'case.json').anchor).toBe('xtuner.LengthGroupedSampler');
  });

  it('is strict about anchor values', () => {
    const error = goldenError({ ...xtuner, anchor: 'xtuner.DefaultSampler' });
    expect(error.field).toBe('case.json.anchor');
    expect(error.message).toContain('llava.LengthGroupedSampler');
  });

  it('names a bad or unknown param', () => {
    expect(goldenError({ ...xtuner, params: { ...xtuner.params, world_size: 0 } }).field).toBe('case.json.params.world_size');
    expect(goldenError({ ...xtuner, params: { ...xtuner.params, mega_batch_mult: 0 } }).field).toBe('case.json.params.mega_batch_mult');
    expect(goldenError({ ...xtuner, params: { ...xtuner.params, sed: 1 } }).message).toContain('sed');
  });

  it('names a missing lengths field', () => {
    const { lengths: _, ...noLengths } = xtuner;
    expect(goldenError(noLengths).field).toBe('case.json.lengths');
  });

  it('rejects a zero length when replaying, naming the sample', () => {
    const llava = { anchor: 'llava.LengthGroupedSampler', params: { world_size: 1, per_device_batch_size: 1, global_seed: 1 } };
    expect(() => replayGolden({ ...llava, lengths: [4, 0, -2] }, 'case.json')).toThrow(/lengths\[1\]: is 0/);
    expect(() => replayGolden({ ...xtuner, lengths: [4, 0, -2] }, 'case.json')).toThrow(InvalidInputError);
  });
});
