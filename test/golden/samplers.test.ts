import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayGolden } from '../../lib/core/replay/replay-golden.js';
import { Mt19937 } from '../../lib/core/rng/mt19937.js';
import { llavaModalityLengthGroupedIndices } from '../../lib/core/strategies/llava-modality-length-grouped.js';

// Golden vectors live outside the project (../shared/golden/samplers/); never copied into the repo.
const goldenDir = new URL('../../../shared/golden/samplers/', import.meta.url);
const files = readdirSync(fileURLToPath(goldenDir))
  .filter((name) => name.endsWith('.json'))
  .sort();

function readGolden(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, goldenDir), 'utf8')) as Record<string, unknown>;
}

describe('golden sampler vectors (torch 1.13 outputs of XTuner and LLaVA)', () => {
  it('finds the golden files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is reproduced element for element', (name) => {
    const golden = readGolden(name);
    // Only the inputs go in; the expected outputs stay on this side.
    const replay = replayGolden({ anchor: golden.anchor, params: golden.params, lengths: golden.lengths }, name);
    if ('ranks' in golden) {
      expect(replay).toEqual({ ranks: golden.ranks });
    } else {
      expect(replay).toEqual({ order: golden.order });
    }
  });
});

describe.runIf(existsSync(new URL('llava-modality.json', goldenDir)))('LLaVA modality RNG hypothesis', () => {
  const golden = readGolden('llava-modality.json');
  const params = golden.params as { world_size: number; per_device_batch_size: number; global_seed: number };
  const lengths = Int32Array.from(golden.lengths as number[]);
  const run = (global: Mt19937, sampler: Mt19937): number[] =>
    Array.from(llavaModalityLengthGroupedIndices(lengths, params.per_device_batch_size, params.world_size, { global, sampler }));

  it('all three randperms from the one torch.manual_seed(global_seed) stream reproduce it', () => {
    const stream = Mt19937.fromTorchSeed(params.global_seed);
    expect(run(stream, stream)).toEqual(golden.order);
  });

  it('a separately seeded generator for the mega-batch randperm (notes §9 T7) does not', () => {
    const seed = params.global_seed;
    expect(run(Mt19937.fromTorchSeed(seed), Mt19937.fromTorchSeed(seed))).not.toEqual(golden.order);
  });
});
