/**
 * Packing as a planning mode through files: a packed spec planned over a length index, read
 * back (manifests, v2 rank files), continued on another world size, with a mixture, and the
 * spec errors that name their field.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { makeLengthIndexFixture, FIXTURE_SOURCE_NAMES } from '../helpers/length-index-fixture.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { planIndexFile } from '../../lib/run/plan/plan-index-file.js';
import { readEpochPlan, readPackedEpochPlan } from '../../lib/run/plan/read-epoch-plan.js';
import { reshardPlan } from '../../lib/run/plan/reshard-plan.js';
import { resolveShardSpec } from '../../lib/core/spec/resolve-shard-spec.js';
import type { LengthIndex } from '../../lib/core/index/length-index.js';
import { putLengthIndex, readPlanDir } from '../helpers/plan-output.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SAMPLES = 3001;
const SPEC = { seed: 5, epochs: 2, worldSize: 4, gradientAccumulation: 2, packing: { maxTokens: 4096, overLength: 'reject' } };
let tmp: string;
let index: LengthIndex;
let indexStore: FsObjectStore;
const indexAt = () => ({ store: indexStore, key: 'lengths.arrow' });

beforeAll(async () => {
  tmp = await makeTempDir('plan-packed');
  index = makeLengthIndexFixture(SAMPLES, 3);
  indexStore = new FsObjectStore(join(tmp, 'index'));
  await putLengthIndex(indexStore, 'lengths.arrow', index);
});
afterAll(() => removeTempDir(tmp));

async function plan(spec: unknown, name: string) {
  const dir = join(tmp, name);
  await planIndexFile({ index: indexAt(), spec, out: { store: new FsObjectStore(dir), prefix: '' } });
  return { dir, onDisk: await readPlanDir(dir) };
}

describe('packed plans', () => {
  it('plan every sample once per epoch (or rejected with a reason), in v2 rank files with packs within budget', async () => {
    const { onDisk } = await plan(SPEC, 'balanced');
    expect(onDisk.root.strategyId).toBe('balanced-pack@1');
    expect(onDisk.root.spec).toMatchObject({ perDeviceBatchSize: 1, packing: { strategy: 'balanced-pack@1', maxTokens: 4096, overLength: 'reject' } });
    for (const epoch of onDisk.epochs) {
      const { packing, counts, droppedIds } = epoch.manifest;
      expect(packing).toBeDefined();
      expect(packing!.rejected.count).toBe(droppedIds.length);
      expect(packing!.rejectedReasons.length).toBe(droppedIds.length);
      for (const id of droppedIds) expect(index.totalTokens[id]).toBeGreaterThan(4096);
      const seen = new Uint32Array(SAMPLES);
      for (const file of epoch.files) {
        const d = file.decoded;
        expect(d.metadata).toMatchObject({ formatVersion: '2', layout: 'packed', maxTokens: 4096, microBatchSize: 1, gradientAccumulation: 2 });
        expect(d.metadata.stepCount).toBe(counts.stepsPerRank);
        for (let p = 0; p + 1 < d.packStarts.length; p++) {
          let tokens = 0;
          for (let j = d.packStarts[p]!; j < d.packStarts[p + 1]!; j++) {
            tokens += index.totalTokens[d.sampleIds[j]!]!;
            if (!d.isPadding[j]) seen[d.sampleIds[j]!]!++;
          }
          expect(tokens).toBeLessThanOrEqual(4096);
        }
      }
      for (let id = 0; id < SAMPLES; id++) expect(seen[id]).toBe(droppedIds.includes(id) ? 0 : 1);
      expect(packing!.efficiency).toBeGreaterThan(0.9);
    }
  });

  it('are byte-identical when planned twice', async () => {
    const a = await plan(SPEC, 'twice-a');
    const b = await plan(SPEC, 'twice-b');
    expect(b.onDisk.epochs.map((e) => e.files.map((f) => f.sha256))).toEqual(a.onDisk.epochs.map((e) => e.files.map((f) => f.sha256)));
    expect(b.onDisk.root.runFingerprint).toBe(a.onDisk.root.runFingerprint);
  });

  it('plan the XTuner V1 pipeline: soft packs ordered by the pack-level length-grouped sampler', async () => {
    const { onDisk } = await plan({ ...SPEC, epochs: 1, packing: { strategy: 'xtuner-v1-soft-pack', maxTokens: 4096 } }, 'xtuner');
    const manifest = onDisk.epochs[0]!.manifest;
    expect(manifest.strategyId).toBe('xtuner-v1-soft-pack@1');
    expect(manifest.packing).toMatchObject({ strategy: 'xtuner-v1-soft-pack@1', order: 'xtuner-v1-pack-length-grouped@1', overLength: 'own-pack' });
    const steps = onDisk.epochs[0]!.files.map((f) => f.decoded.metadata.stepCount);
    expect(new Set(steps).size).toBe(1);
  });

  it('pack the drawn multiset of a mixture and keep the mixture block', async () => {
    const mixture = { [FIXTURE_SOURCE_NAMES[0]!]: { repeat: 2 }, [FIXTURE_SOURCE_NAMES[2]!]: { proportion: 0.1 } };
    const { onDisk } = await plan({ ...SPEC, epochs: 1, mixture }, 'mixture');
    const manifest = onDisk.epochs[0]!.manifest;
    expect(manifest.mixture?.rule).toBe('mixture-rotation@1');
    const drawn = manifest.mixture!.sources.reduce((sum, s) => sum + s.drawn, 0);
    const rows = onDisk.epochs[0]!.files.reduce((sum, f) => sum + f.decoded.sampleIds.length, 0);
    const rejectedEntries = manifest.counts.droppedSamples;
    expect(rows - manifest.counts.paddingEntries).toBeGreaterThanOrEqual(drawn - 2 * rejectedEntries);
  });

  it('reshard on another world size: consumed steps + continuation = every planned sample once', async () => {
    const { dir } = await plan(SPEC, 'to-reshard');
    const previous = { store: new FsObjectStore(dir), prefix: '' };
    const out = { store: new FsObjectStore(join(tmp, 'resharded')), prefix: '' };
    await reshardPlan({ previous, epoch: 1, consumedSteps: 10, index: indexAt(), spec: { ...SPEC, worldSize: 3 }, out });
    const old = (await readPackedEpochPlan(previous, 1)).plan;
    const rest = await readPackedEpochPlan(out, 1);
    expect(rest.plan.worldSize).toBe(3);
    expect(rest.manifest.reshardOf).toMatchObject({ worldSize: 4, consumedSteps: 10 });
    const seen = new Uint32Array(SAMPLES);
    for (let r = 0; r < 4; r++) {
      for (let j = old.rankStarts[r]!; j < old.stepStarts[r * old.stepCount + 10]!; j++) if (!old.isPadding[j]) seen[old.sampleIds[j]!]!++;
    }
    for (let j = 0; j < rest.plan.sampleIds.length; j++) if (!rest.plan.isPadding[j]) seen[rest.plan.sampleIds[j]!]!++;
    for (let id = 0; id < SAMPLES; id++) expect(seen[id]).toBe(old.rejectedIds.includes(id) ? 0 : 1);
    await expect(readEpochPlan(previous, 1)).rejects.toThrow(/is packed \(balanced-pack@1\)/);
  });
});

describe('packed spec errors name the field', () => {
  it.each([
    [{ ...SPEC, packing: { maxTokens: 0 } }, /spec\.packing\.maxTokens: maxTokens must be ≥ 1/],
    [{ ...SPEC, packing: { maxTokens: 4096, maxImagesPerPack: 0 } }, /spec\.packing\.maxImagesPerPack: maxImagesPerPack must be ≥ 1/],
    [{ ...SPEC, strategy: 'llava-length-grouped' }, /spec\.strategy: is "llava-length-grouped" \(llava-length-grouped@1\), which orders whole samples/],
    [{ ...SPEC, packing: { strategy: 'xtuner-v1-hard-pack', maxTokens: 4096 } }, /spec\.packing\.strategy: is "xtuner-v1-hard-pack", which splits samples/],
    [
      { ...SPEC, packing: { strategy: 'nope', maxTokens: 4096 } },
      /spec\.packing\.strategy: is "nope", not a packing strategy; use one of balanced-pack@1, xtuner-v1-soft-pack@1/,
    ],
    [
      { ...SPEC, packing: { strategy: 'xtuner-v1-soft-pack', maxTokens: 4096, maxImagesPerPack: 2 } },
      /spec\.packing\.maxImagesPerPack: XTuner V1 has no image cap/,
    ],
    [{ ...SPEC, perDeviceBatchSize: 8 }, /spec\.perDeviceBatchSize: with packing a rank takes one pack per step/],
    [{ ...SPEC, lengthColumn: 'llava' }, /spec\.lengthColumn: packing counts every token/],
    [{ seed: 1, worldSize: 2, perDeviceBatchSize: 1, strategy: 'balanced-pack' }, /spec\.packing: is missing; balanced-pack needs at least/],
  ])('%#', (spec, message) => {
    expect(() => resolveShardSpec(spec)).toThrow(InvalidInputError);
    expect(() => resolveShardSpec(spec)).toThrow(message);
  });
});
