/**
 * What the fixed and the packed reshard share: the check that the index is the one the old plan
 * was made from, and the identity of the one-epoch plan they write (where it came from, its
 * fingerprint), so both name and verify a reshard the same way.
 */
import { canonicalJson, sha256Hex } from '../../core/fingerprint.js';
import { InvalidInputError } from '../../core/errors.js';
import type { PlanManifest, ReshardOrigin } from '../../core/plan/manifest.js';
import type { ResolvedShardSpec } from '../../core/spec/resolve-shard-spec.js';
import { specToJson } from '../../core/spec/spec-json.js';
import type { PlanDestination, PlanIdentity } from './write-epoch-plan.js';

/** Refuse an index other than the one the previous plan was made from. */
export function assertReshardIndex(previous: PlanDestination, root: PlanManifest, indexFingerprint: string): void {
  if (indexFingerprint === root.indexFingerprint) return;
  throw new InvalidInputError(
    'index',
    `is not the index the plan at ${previous.store.location} was made from (fingerprint ${indexFingerprint.slice(0, 12)}…, plan says ${root.indexFingerprint.slice(0, 12)}…)`,
  );
}

/** The identity of a reshard's one-epoch plan: its origin (old plan, epoch, world, consumed steps) and fingerprint. */
export function reshardIdentity(input: {
  readonly root: PlanManifest;
  readonly epoch: number;
  readonly previousWorldSize: number;
  readonly consumedSteps: number;
  readonly spec: ResolvedShardSpec['spec'];
  readonly lengthColumn: PlanIdentity['lengthColumn'];
  readonly lengths: PlanIdentity['lengths'];
  readonly indexFingerprint: string;
}): PlanIdentity {
  const reshardOf: ReshardOrigin = {
    runFingerprint: input.root.runFingerprint,
    epoch: input.epoch,
    worldSize: input.previousWorldSize,
    consumedSteps: input.consumedSteps,
  };
  const { spec, lengthColumn, indexFingerprint } = input;
  return {
    planFingerprint: sha256Hex(canonicalJson({ format: 'megashard-reshard/1', reshardOf, spec: specToJson(spec), lengthColumn, indexFingerprint })),
    indexFingerprint,
    spec,
    lengthColumn,
    lengths: input.lengths,
    reshardOf,
  };
}
