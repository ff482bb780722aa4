import { encodeLengthIndex } from '../arrow/index.js';
import { fingerprintLengthIndex } from '../core/fingerprint.js';
import { syntheticLengthIndex } from '../core/synth/synthetic-index.js';
import type { ObjectStore } from '../io/object-store.js';
import type { EpochManifest, PlanManifest } from '../core/plan/manifest.js';
import { planShards } from './plan-shards.js';
import { readEpochPlan } from './read-epoch-plan.js';
import { signedLengths } from '../core/index/length-index.js';
import { measurePlanQuality, type PlanQuality } from '../core/audit/plan-quality.js';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { planEpoch } from '../core/plan/plan-epoch.js';

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
  /** Epoch 0 measured from the written rank files, and XTuner's sampler on the same index for context. */
  readonly quality: { readonly balanced: PlanQuality; readonly xtuner: PlanQuality };
}

/**
 * The embedded default job: synthesize a mixed LLaVA-style + interleaved length index, write it as
 * Arrow, plan every epoch for every rank into `store`, then read epoch 0 back from its files and
 * measure it (with XTuner's sampler on the same index for comparison).
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
  const trueCost = signedLengths(index, 'total');
  const written = await readEpochPlan({ store, prefix: 'plan' }, 0);
  const xtuner = resolveShardSpec({ ...DEMO_SPEC, strategy: 'xtuner-length-grouped' });
  const xtunerPlan = planEpoch(xtuner.strategy, signedLengths(index, 'xtuner'), xtuner.spec, 0);
  const quality = { balanced: measurePlanQuality(written.plan, trueCost), xtuner: measurePlanQuality(xtunerPlan, trueCost) };
  return { indexKey, plan, epochs, quality };
}
