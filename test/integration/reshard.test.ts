/**
 * Elastic resume through files: an epoch planned for 8 ranks is stopped after k steps and continued
 * on 3 ranks. The written continuation plus what was consumed is the epoch, each sample once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { planIndexFile } from '../../lib/run/plan/plan-index-file.js';
import { reshardPlan } from '../../lib/run/plan/reshard-plan.js';
import { readEpochPlan } from '../../lib/run/plan/read-epoch-plan.js';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { rankPaddingFlags, rankSampleIds } from '../../lib/core/plan/epoch-plan.js';
import { putLengthIndex } from '../helpers/plan-output.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SAMPLES = 5003;
const OLD = { strategy: 'balanced', seed: 77, epochs: 2, worldSize: 8, perDeviceBatchSize: 4, gradientAccumulation: 2 };
const NEW = { seed: 77, worldSize: 3, perDeviceBatchSize: 2 };
let tmp: string;
let indexStore: FsObjectStore;
let planStore: FsObjectStore;

beforeAll(async () => {
  tmp = await makeTempDir('reshard');
  indexStore = new FsObjectStore(join(tmp, 'index'));
  await putLengthIndex(indexStore, 'lengths.arrow', syntheticLengthIndex(SAMPLES, 1));
  planStore = new FsObjectStore(join(tmp, 'plan'));
  await planIndexFile({ index: { store: indexStore, key: 'lengths.arrow' }, spec: OLD, out: { store: planStore, prefix: '' } });
});

afterAll(() => removeTempDir(tmp));

let outCount = 0;
const request = (overrides: Record<string, unknown> = {}) => ({
  previous: { store: planStore, prefix: '' },
  epoch: 1,
  consumedSteps: 40,
  index: { store: indexStore, key: 'lengths.arrow' },
  spec: NEW,
  out: { store: new FsObjectStore(join(tmp, `out-${outCount++}`)), prefix: '' },
  ...overrides,
});

describe('reshardPlan', () => {
  it('continues epoch 1 on 3 ranks: consumed + continuation = the epoch, each sample exactly once', async () => {
    const req = request();
    const root = await reshardPlan(req);
    expect(root.reshardOf).toMatchObject({ epoch: 1, worldSize: 8, consumedSteps: 40 });
    const old = await readEpochPlan(req.previous, 1);
    const rest = await readEpochPlan(req.out, 1);
    expect(rest.plan.worldSize).toBe(3);
    expect(rest.manifest.reshardOf?.runFingerprint).toBe(old.root.runFingerprint);
    const seen = new Uint32Array(SAMPLES);
    for (let r = 0; r < 8; r++) {
      const ids = rankSampleIds(old.plan, r);
      const flags = rankPaddingFlags(old.plan, r);
      for (let p = 0; p < 40 * 4; p++) if (flags[p] === 0) seen[ids[p]!]!++;
    }
    rest.plan.sampleIds.forEach((id, p) => {
      if (rest.plan.isPadding[p] === 0) seen[id]!++;
    });
    const expected = new Uint8Array(SAMPLES);
    old.plan.sampleIds.forEach((id) => (expected[id] = 1));
    expect(Array.from(seen)).toEqual(Array.from(expected));
    const steps = rest.manifest.files.map((f) => f.steps);
    expect(new Set(steps).size).toBe(1);
  });

  it('refuses a tampered old rank file, naming it', async () => {
    const tampered = new FsObjectStore(join(tmp, 'tampered'));
    await planIndexFile({ index: { store: indexStore, key: 'lengths.arrow' }, spec: OLD, out: { store: tampered, prefix: '' } });
    const key = 'epoch-0001/rank-00003.arrow';
    const bytes = await tampered.get(key);
    bytes[bytes.length >> 1]! ^= 1;
    await tampered.put(key, bytes);
    const error = await reshardPlan(request({ previous: { store: tampered, prefix: '' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptArtifactError);
    expect((error as Error).message).toContain(key);
  });

  it('names the field for an unplanned epoch, a non-balanced spec, out-of-range steps and another index', async () => {
    const fail = (overrides: Record<string, unknown>): Promise<InvalidInputError> =>
      reshardPlan(request(overrides)).then(
        () => {
          throw new Error('expected the reshard to be refused');
        },
        (e: unknown) => {
          expect(e).toBeInstanceOf(InvalidInputError);
          return e as InvalidInputError;
        },
      );
    expect((await fail({ epoch: 5 })).field).toBe('epoch');
    expect((await fail({ spec: { ...NEW, strategy: 'xtuner-length-grouped' } })).field).toBe('spec.strategy');
    expect((await fail({ consumedSteps: 10_000 })).field).toBe('consumedSteps');
    await putLengthIndex(indexStore, 'other.arrow', syntheticLengthIndex(SAMPLES, 2));
    expect((await fail({ index: { store: indexStore, key: 'other.arrow' } })).field).toBe('index');
  });

  it('runs from the CLI', async () => {
    const specPath = join(tmp, 'new-spec.json');
    await new FsObjectStore(tmp).put('new-spec.json', JSON.stringify(NEW));
    const out = join(tmp, 'cli-out');
    const { code, stdout } = await runCli([
      'reshard',
      '--plan',
      planStore.location,
      '--epoch',
      '0',
      '--consumed-steps',
      '7',
      '--index',
      join(indexStore.location, 'lengths.arrow'),
      '--spec',
      specPath,
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).reshardOf).toMatchObject({ epoch: 0, consumedSteps: 7, worldSize: 8 });
    expect((await readEpochPlan({ store: new FsObjectStore(out), prefix: '' }, 0)).plan.worldSize).toBe(3);
  });
});
