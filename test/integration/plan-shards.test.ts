/**
 * planIndexFile end to end on real files: what it writes must verify against its own manifests,
 * decode back to exactly the planner's output, and be reproducible byte for byte.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';
import { epochFolder, rankFileKey } from '../../lib/core/plan/manifest.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { planIndexFile } from '../../lib/run/plan/plan-index-file.js';
import { permutationViolation } from '../helpers/plan-invariants.js';
import { concatRanks, directPlan, putLengthIndex, readPlanDir, RecordingStore } from '../helpers/plan-output.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/** Not a multiple of any W·B·GA below, so every remainder policy has work to do. */
const SAMPLES = 4003;
const index = syntheticLengthIndex(SAMPLES, 11);
const INDEX_KEY = 'lengths.arrow';

let tmp: string;
let indexStore: FsObjectStore;

beforeAll(async () => {
  tmp = await makeTempDir('plan-shards');
  indexStore = new FsObjectStore(join(tmp, 'index'));
  await putLengthIndex(indexStore, INDEX_KEY, index);
});

afterAll(() => removeTempDir(tmp));

let runCount = 0;
/** planIndexFile into a fresh folder under tmp; returns the folder and the returned manifest. */
async function planInto(spec: unknown): Promise<{ dir: string; manifest: Awaited<ReturnType<typeof planIndexFile>> }> {
  const dir = join(tmp, `run-${runCount++}`);
  const manifest = await planIndexFile({ index: { store: indexStore, key: INDEX_KEY }, spec, out: { store: new FsObjectStore(dir), prefix: '' } });
  return { dir, manifest };
}

const CASES = [
  { name: 'balanced (defaults)', column: 'total', spec: { seed: 42, epochs: 2, worldSize: 8, perDeviceBatchSize: 4 } },
  {
    name: 'balanced, remainder drop, grouping by the xtuner column',
    column: 'xtuner',
    spec: { strategy: 'balanced', seed: 7, epochs: 2, worldSize: 6, perDeviceBatchSize: 3, gradientAccumulation: 2, remainder: 'drop', lengthColumn: 'xtuner' },
  },
  {
    name: 'xtuner-length-grouped, gradientAccumulation 2',
    column: 'xtuner',
    spec: { strategy: 'xtuner-length-grouped', seed: 3, epochs: 2, worldSize: 4, perDeviceBatchSize: 2, gradientAccumulation: 2 },
  },
  {
    name: 'llava-modality-length-grouped',
    column: 'llava',
    spec: { strategy: 'llava-modality-length-grouped@1', seed: 5, epochs: 1, worldSize: 8, perDeviceBatchSize: 4 },
  },
  { name: 'torch-distributed', column: 'total', spec: { strategy: 'torch-distributed', seed: 9, epochs: 2, worldSize: 16, perDeviceBatchSize: 2 } },
  // HF sorts raw lengths, so it is given |length|: a mixed index with text-only samples plans.
  {
    name: 'hf-length-grouped on a mixed index',
    column: 'total',
    spec: { strategy: 'hf-length-grouped', seed: 4, epochs: 1, worldSize: 4, perDeviceBatchSize: 2 },
  },
] as const;

describe('planIndexFile writes a complete, verifiable plan', () => {
  it.each(CASES)('$name', async ({ spec, column }) => {
    const { dir, manifest } = await planInto(spec);
    const onDisk = await readPlanDir(dir);
    expect(onDisk.root).toEqual(manifest);
    expect(onDisk.root.lengthColumn).toBe(column);
    expect(onDisk.root.sampleCount).toBe(SAMPLES);
    expect(onDisk.epochs.map((e) => e.ref.epoch)).toEqual(Array.from({ length: spec.epochs }, (_, e) => e));

    const expectedFiles = ['manifest.json'];
    for (const { ref, sha256, manifest: epochManifest, files } of onDisk.epochs) {
      const epoch = ref.epoch;
      expect(ref.key).toBe(`${epochFolder(epoch)}/manifest.json`);
      expect(sha256).toBe(ref.sha256);
      expect(epochManifest).toMatchObject({ epoch, runFingerprint: manifest.runFingerprint, strategyId: manifest.strategyId, lengthColumn: column });
      expect(epochManifest.spec).toEqual(manifest.spec);

      // Every listed file exists with the listed size and sha256, and says which rank it is.
      expect(files.map((f) => f.entry.key)).toEqual(files.map((_, rank) => rankFileKey(epoch, rank)));
      for (const [rank, file] of files.entries()) {
        expect({ rank: file.entry.rank, bytes: file.size, sha256: file.sha256 }).toEqual({ rank, bytes: file.entry.bytes, sha256: file.entry.sha256 });
        expect(file.decoded.metadata).toMatchObject({
          planFingerprint: manifest.runFingerprint,
          strategyId: manifest.strategyId,
          epoch,
          rank,
          worldSize: spec.worldSize,
          microBatchSize: spec.perDeviceBatchSize,
          firstStep: 0,
          gradientAccumulation: 'gradientAccumulation' in spec ? spec.gradientAccumulation : 1,
        });
      }
      expectedFiles.push(ref.key, ...files.map((f) => f.entry.key));

      // The files, concatenated, are exactly what the planner gives when called directly.
      const { plan, lengths } = directPlan(index, spec, epoch);
      const decoded = concatRanks(files.map((f) => f.decoded));
      expect(decoded.rankStarts).toEqual(plan.rankStarts);
      expect(decoded.sampleIds).toEqual(plan.sampleIds);
      expect(decoded.isPadding).toEqual(plan.isPadding);
      expect(decoded.lengths).toEqual(Int32Array.from(plan.sampleIds, (id) => lengths[id]!));
      expect(epochManifest.droppedIds).toEqual(Array.from(plan.droppedIds));
      expect(permutationViolation({ ...plan, ...decoded }, SAMPLES)).toBeNull();

      // The manifest's counts agree with the decoded files.
      const padding = decoded.isPadding.reduce((sum, flag) => sum + flag, 0);
      const steps = files.map((f) => (f.decoded.steps.length === 0 ? 0 : f.decoded.steps.at(-1)! + 1));
      expect(files.map((f) => [f.entry.entries, f.entry.steps])).toEqual(files.map((f, r) => [f.decoded.sampleIds.length, steps[r]]));
      expect(epochManifest.counts).toEqual({
        indexSamples: SAMPLES,
        plannedEntries: decoded.sampleIds.length,
        distinctSamples: new Set(decoded.sampleIds).size,
        paddingEntries: padding,
        droppedSamples: epochManifest.droppedIds.length,
        stepsPerRank: Math.max(...steps),
        minStepsPerRank: Math.min(...steps),
      });
    }
    // Nothing else (no temp files, no strays) is left in the folder.
    expect(await listFilesUnder(dir)).toEqual(expectedFiles.sort());
  });

  it('pads, drops and keeps step counts equal where each policy says so', async () => {
    const [padded, dropped] = await Promise.all([readPlanDir((await planInto(CASES[0].spec)).dir), readPlanDir((await planInto(CASES[1].spec)).dir)]);
    for (const { manifest } of padded.epochs) {
      expect(manifest.counts).toMatchObject({ droppedSamples: 0, distinctSamples: SAMPLES });
      expect(manifest.counts.paddingEntries).toBeGreaterThan(0);
      expect(manifest.counts.stepsPerRank).toBe(manifest.counts.minStepsPerRank);
    }
    for (const { manifest } of dropped.epochs) {
      // W·B·GA = 36: 4003 = 111·36 + 7, so 7 samples sit out and nobody is padded.
      expect(manifest.counts).toMatchObject({ paddingEntries: 0, droppedSamples: 7, plannedEntries: 3996, stepsPerRank: 222, minStepsPerRank: 222 });
      expect(new Set(manifest.droppedIds).size).toBe(7);
    }
    expect(dropped.epochs[0]!.manifest.droppedIds).not.toEqual(dropped.epochs[1]!.manifest.droppedIds);
  });
});

describe('planIndexFile is deterministic', () => {
  const spec = CASES[1].spec;

  /** Every file of a folder: path → bytes. */
  async function folderBytes(dir: string): Promise<Map<string, Buffer>> {
    const files = await listFilesUnder(dir);
    return new Map(await Promise.all(files.map(async (key) => [key, await readFile(join(dir, key))] as const)));
  }

  it('two runs into two folders give byte-identical files and the same runFingerprint', async () => {
    const a = await planInto(spec);
    const b = await planInto(spec);
    expect(b.manifest.runFingerprint).toBe(a.manifest.runFingerprint);
    const [bytesA, bytesB] = await Promise.all([folderBytes(a.dir), folderBytes(b.dir)]);
    expect([...bytesB.keys()]).toEqual([...bytesA.keys()]);
    expect(bytesA.size).toBe(1 + spec.epochs * (1 + spec.worldSize));
    for (const [key, bytes] of bytesA) expect(Buffer.compare(bytes, bytesB.get(key)!), key).toBe(0);
  });

  it('a spec spelling out its defaults (and its seed as a string) is the same run', async () => {
    const a = await planInto(CASES[0].spec);
    const explicit = {
      ...CASES[0].spec,
      strategy: 'balanced@1',
      seed: '42',
      gradientAccumulation: 1,
      megaBatchMult: null,
      groupByModality: true,
      remainder: 'pad',
    };
    const b = await planInto(explicit);
    expect(b.manifest).toEqual(a.manifest);
    const [bytesA, bytesB] = await Promise.all([folderBytes(a.dir), folderBytes(b.dir)]);
    for (const [key, bytes] of bytesA) expect(Buffer.compare(bytes, bytesB.get(key)!), key).toBe(0);
  });

  it('changing the seed changes the runFingerprint, the order and every file', async () => {
    const a = await planInto(spec);
    const b = await planInto({ ...spec, seed: spec.seed + 1 });
    expect(b.manifest.runFingerprint).not.toBe(a.manifest.runFingerprint);
    const [planA, planB] = await Promise.all([readPlanDir(a.dir), readPlanDir(b.dir)]);
    for (const [e, epoch] of planA.epochs.entries()) {
      const other = planB.epochs[e]!;
      expect(other.sha256).not.toBe(epoch.sha256);
      epoch.files.forEach((file, rank) => expect(other.files[rank]!.sha256).not.toBe(file.sha256));
      expect(concatRanks(other.files.map((f) => f.decoded)).sampleIds).not.toEqual(concatRanks(epoch.files.map((f) => f.decoded)).sampleIds);
    }
  });
});

describe('planIndexFile write order', () => {
  it('writes each epoch manifest after its rank files and the root manifest last, with the same bytes as on disk', async () => {
    const spec = CASES[2].spec;
    const store = new RecordingStore();
    await planIndexFile({ index: { store: indexStore, key: INDEX_KEY }, spec, out: { store, prefix: 'plans/run-a' } });
    const puts = store.puts;
    expect(new Set(puts).size).toBe(puts.length);
    expect(puts.at(-1)).toBe('plans/run-a/manifest.json');
    expect(puts.every((key) => key.startsWith('plans/run-a/'))).toBe(true);
    for (let epoch = 0; epoch < spec.epochs; epoch++) {
      const manifestAt = puts.indexOf(`plans/run-a/${epochFolder(epoch)}/manifest.json`);
      const rankAts = Array.from({ length: spec.worldSize }, (_, rank) => puts.indexOf(`plans/run-a/${rankFileKey(epoch, rank)}`));
      expect(
        rankAts.every((at) => at >= 0 && at < manifestAt),
        `epoch ${epoch}`,
      ).toBe(true);
    }
    expect(puts.length).toBe(1 + spec.epochs * (1 + spec.worldSize));

    // The store does not change what is written: the same bytes as a run into a folder.
    const { dir } = await planInto(spec);
    for (const key of await listFilesUnder(dir)) {
      expect(Buffer.compare(await store.get(`plans/run-a/${key}`), await readFile(join(dir, key))), key).toBe(0);
    }
  });
});
