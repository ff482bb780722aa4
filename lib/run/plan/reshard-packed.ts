import { InvalidInputError } from '../../core/errors.js';
import type { PlanManifest } from '../../core/plan/manifest.js';
import { describePackedEpoch } from '../../core/plan/packing-manifest.js';
import { balancedPackStrategy } from '../../core/packing/balanced-pack-strategy.js';
import { reshardPackedEpoch } from '../../core/packing/reshard-packed-plan.js';
import type { ResolvedShardSpec } from '../../core/spec/resolve-shard-spec.js';
import type { BalancedPackShardSpec } from '../../core/spec/packing-spec.js';
import { loadPlanningInput } from './planning-input.js';
import { readPackedEpochPlan } from './read-epoch-plan.js';
import { assertReshardIndex, reshardIdentity } from './reshard-identity.js';
import { writeEpochPlan, writeRootManifest, type PlanDestination } from './write-epoch-plan.js';
import type { ObjectStore } from '../../io/object-store.js';

/** What reshardPlan passes on (its request, the spec already resolved). */
interface PackedReshardInput {
  readonly previous: PlanDestination;
  readonly epoch: number;
  readonly consumedSteps: number;
  readonly index: { readonly store: ObjectStore; readonly key: string };
  readonly out: PlanDestination;
}

/**
 * The packed form of reshardPlan: read and verify the old packed epoch, check the index, lay the
 * packs it had not reached out again for the new world with balanced-pack@1 (reshard-packed-plan.ts),
 * and write them as a one-epoch plan recording where it came from.
 */
export async function reshardPackedPlan(request: PackedReshardInput, resolved: ResolvedShardSpec): Promise<PlanManifest> {
  if (resolved.packer!.id !== balancedPackStrategy.id) {
    throw new InvalidInputError(
      'spec.packing.strategy',
      `is ${resolved.packer!.id}; a packed reshard lays the remaining packs out with ${balancedPackStrategy.id}: omit packing.strategy`,
    );
  }
  const stored = await readPackedEpochPlan(request.previous, request.epoch);
  const { index, metadata, lengthColumn, lengths } = await loadPlanningInput(request.index, resolved);
  assertReshardIndex(request.previous, stored.root, metadata.fingerprint);
  const spec = resolved.spec as BalancedPackShardSpec;
  const plan = reshardPackedEpoch(index.totalTokens, index.numImages, { previous: stored.plan, consumedSteps: request.consumedSteps, spec });
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
  const packing = describePackedEpoch(plan, spec.packing, index.totalTokens);
  const { entry } = await writeEpochPlan(request.out, identity, plan, undefined, packing);
  return writeRootManifest(request.out, identity, plan.strategyId, [entry]);
}
