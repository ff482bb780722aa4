import { encodeLengthIndex } from '../arrow/index.js';
import { fingerprintLengthIndex } from '../core/fingerprint.js';
import { syntheticLengthIndex } from '../core/synth/synthetic-index.js';
import type { ObjectStore } from '../io/object-store.js';
import type { EpochManifest, PlanManifest } from '../core/plan/manifest.js';
import { planShards } from './plan-shards.js';

/** What the demo plans: a small mixed corpus on 8 ranks, two epochs. */
export const DEMO_SPEC = {
  strategy: 'balanced',
  seed: 20241123,
  epochs: 2,
  worldSize: 8,
  perDeviceBatchSize: 4,
  gradientAccumulation: 2,
} as const;

/** Result of the demo: where things are and what each epoch holds. */
export interface DemoResult {
  readonly indexKey: string;
  readonly plan: PlanManifest;
  readonly epochs: readonly EpochManifest[];
}

/**
 * The embedded default job: synthesize a mixed LLaVA-style + interleaved length index, write it as
 * Arrow, and plan every epoch for every rank into `store`.
 */
export async function runDemo(store: ObjectStore, sampleCount: number): Promise<DemoResult> {
  const index = syntheticLengthIndex(sampleCount, DEMO_SPEC.seed);
  const indexKey = 'index/lengths.arrow';
  await store.put(indexKey, encodeLengthIndex(index));
  const epochs: EpochManifest[] = [];
  const plan = await planShards({
    index: { store, key: indexKey },
    spec: DEMO_SPEC,
    out: { store, prefix: 'plan' },
    onEpoch: (manifest) => epochs.push(manifest),
  });
  return { indexKey, plan, epochs };
}
