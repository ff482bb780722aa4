import { canonicalJson, sha256Hex } from '../../core/fingerprint.js';
import { planMixedEpoch } from '../../core/mixture/plan-mixed-epoch.js';
import type { EpochManifest, PlanManifest } from '../../core/plan/manifest.js';
import { resolveShardSpec, type ResolvedShardSpec } from '../../core/spec/resolve-shard-spec.js';
import { specToJson } from '../../core/spec/spec-json.js';
import type { LengthColumn } from '../../core/spec/common-fields.js';
import type { ObjectStore } from '../../io/object-store.js';
import { loadPlanningInput, type PlanningInput } from './planning-input.js';
import { planPackedEpoch } from '../../core/packing/plan-packed-epoch.js';
import type { PackedSpec } from '../../core/packing/packing-strategy.js';
import { describePackedEpoch } from '../../core/plan/packing-manifest.js';
import { writeEpochPlan, writeRootManifest, type PlanDestination, type PlanIdentity } from './write-epoch-plan.js';

/** Where the index is, what to plan, and where the plan goes. */
export interface PlanIndexFileRequest {
  readonly index: { readonly store: ObjectStore; readonly key: string };
  /** Untrusted shard spec (JSON); validated here. */
  readonly spec: unknown;
  readonly out: PlanDestination;
  /** Called after each epoch is written (progress). */
  readonly onEpoch?: (manifest: EpochManifest) => void;
}

/**
 * Plan every epoch of a spec over a length index and write, per epoch, one Arrow file per rank
 * and a manifest (sizes and sha256 of every file), then the root manifest last: a reader that
 * finds `manifest.json` finds a complete plan. Same inputs → byte-identical files.
 */
export async function planIndexFile(request: PlanIndexFileRequest): Promise<PlanManifest> {
  const resolved = resolveShardSpec(request.spec);
  const { index, metadata, lengthColumn, lengths } = await loadPlanningInput(request.index, resolved);
  const identity: PlanIdentity = {
    planFingerprint: planFingerprint(resolved, metadata.fingerprint, lengthColumn),
    indexFingerprint: metadata.fingerprint,
    spec: resolved.spec,
    lengthColumn,
    lengths,
  };
  const epochs: PlanManifest['epochs'] = [];
  for (let epoch = 0; epoch < resolved.spec.epochs; epoch++) {
    const { manifest, entry } = resolved.packer
      ? await writePackedEpoch(request, resolved, { index, metadata, lengthColumn, lengths }, identity, epoch)
      : await writeEpochPlan(request.out, identity, ...withMixture(planMixedEpoch(resolved.strategy, lengths, resolved.spec, epoch, index)));
    epochs.push(entry);
    request.onEpoch?.(manifest);
  }
  return writeRootManifest(request.out, identity, resolved.strategy.id, epochs);
}

function withMixture<P, M>(planned: { plan: P; mixture?: M }): [P, M | undefined] {
  return [planned.plan, planned.mixture];
}

/** Pack one epoch on the index's total tokens (image tokens included) and images, and write it with its packing facts. */
async function writePackedEpoch(request: PlanIndexFileRequest, resolved: ResolvedShardSpec, input: PlanningInput, identity: PlanIdentity, epoch: number) {
  const packer = resolved.packer!;
  const spec = resolved.spec as PackedSpec;
  const { index } = input;
  const where = `${request.index.store.location}/${request.index.key} total_tokens`;
  const { plan, mixture } = planPackedEpoch(packer, index, spec, epoch, where);
  const packing = describePackedEpoch(plan, spec.packing, index.totalTokens, packer.orderId);
  return writeEpochPlan(request.out, identity, plan, mixture, packing);
}

/** The plan's identity: format, strategy, resolved spec, length column and the index content. */
export function planFingerprint(resolved: ResolvedShardSpec, indexFingerprint: string, lengthColumn: LengthColumn): string {
  return sha256Hex(
    canonicalJson({ format: 'megashard-plan/1', strategy: resolved.strategy.id, spec: specToJson(resolved.spec), lengthColumn, indexFingerprint }),
  );
}
