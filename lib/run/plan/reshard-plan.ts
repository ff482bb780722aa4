import { InvalidInputError } from '../../core/errors.js';
import type { PlanManifest } from '../../core/plan/manifest.js';
import { reshardEpoch } from '../../core/plan/reshard.js';
import { resolveShardSpec } from '../../core/spec/resolve-shard-spec.js';
import { balancedStrategy } from '../../core/strategies/balanced.js';
import type { BalancedSpec } from '../../core/strategies/balanced/balanced-spec.js';
import type { ObjectStore } from '../../io/object-store.js';
import { loadPlanningInput } from './planning-input.js';
import { reshardPackedPlan } from './reshard-packed.js';
import { readEpochPlan } from './read-epoch-plan.js';
import { assertReshardIndex, reshardIdentity } from './reshard-identity.js';
import { writeEpochPlan, writeRootManifest, type PlanDestination } from './write-epoch-plan.js';

/** An elastic resume: which plan and epoch, how far it got, and the new world. */
export interface ReshardPlanRequest {
  readonly previous: PlanDestination;
  readonly epoch: number;
  /** Micro-steps every old rank finished. */
  readonly consumedSteps: number;
  readonly index: { readonly store: ObjectStore; readonly key: string };
  /** Untrusted spec of the new world (balanced; strategy may be omitted). */
  readonly spec: unknown;
  readonly out: PlanDestination;
}

/**
 * Continue an epoch of a written plan on a different world size: read and verify the old epoch,
 * check the index is the one it was planned from, plan what the epoch still owes with balanced@1
 * (nothing consumed repeats, nothing owed is lost), and write it as a one-epoch plan whose
 * manifests record where it came from.
 */
export async function reshardPlan(request: ReshardPlanRequest): Promise<PlanManifest> {
  const resolved = resolveShardSpec(request.spec);
  if (resolved.packer) return reshardPackedPlan(request, resolved);
  if (resolved.strategy.id !== balancedStrategy.id) {
    throw new InvalidInputError(
      'spec.strategy',
      `is ${resolved.strategy.id}; a reshard plans the rest of an epoch with ${balancedStrategy.id}: omit strategy or use "balanced"`,
    );
  }
  const stored = await readEpochPlan(request.previous, request.epoch);
  const { metadata, lengthColumn, lengths } = await loadPlanningInput(request.index, resolved);
  assertReshardIndex(request.previous, stored.root, metadata.fingerprint);
  const spec = resolved.spec as BalancedSpec;
  const plan = reshardEpoch(lengths, { previous: stored.plan, consumedSteps: request.consumedSteps, spec });
  const identity = reshardIdentity({
    root: stored.root,
    epoch: request.epoch,
    previousWorldSize: stored.plan.worldSize,
    consumedSteps: request.consumedSteps,
    spec,
    lengthColumn,
    lengths,
    indexFingerprint: metadata.fingerprint,
  });
  const { entry } = await writeEpochPlan(request.out, identity, plan);
  return writeRootManifest(request.out, identity, plan.strategyId, [entry]);
}
