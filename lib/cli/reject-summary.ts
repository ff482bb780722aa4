import { countRejectsByReason, type RejectReasonCount } from '../core/audit/rejects-by-reason.js';
import { parseJsonArtifact } from '../core/json-artifact.js';
import { PACK_REJECT_REASONS, type PackRejectReason } from '../core/packing/pack-samples.js';
import { epochManifestSchema, planManifestSchema } from '../core/plan/manifest.js';
import { REJECTS_PREFIX } from '../core/run-layout.js';
import { openStore } from '../io/open-store.js';
import { readRunRejects } from '../run/tokenize/read-run-rejects.js';

/** Reason classes printed by `run` and `demo`; the rest are counted on one line. */
const SHOWN_REASONS = 5;

/** A run's rejects by reason class (most frequent first), read from its `rejects/` files. */
export async function readRejectsByReason(runLocation: string): Promise<RejectReasonCount[]> {
  return countRejectsByReason(await readRunRejects(openStore(runLocation)));
}

/** The summary lines of a run's rejects: total and where, then one line per reason class. */
export function rejectLines(runLocation: string, reasons: readonly RejectReasonCount[]): string[] {
  const total = reasons.reduce((sum, reason) => sum + reason.count, 0);
  if (total === 0) return ['  rejects      : none'];
  const lines = [`  rejects      : ${total}, by reason (files: ${runLocation}/${REJECTS_PREFIX})`];
  for (const reason of reasons.slice(0, SHOWN_REASONS))
    lines.push(`    ${String(reason.count).padStart(8)} × ${reason.example}${reason.count > 1 ? ' (and alike)' : ''} [${reason.sources.join(', ')}]`);
  const rest = reasons.slice(SHOWN_REASONS);
  if (rest.length > 0) lines.push(`    ${String(rest.reduce((sum, r) => sum + r.count, 0)).padStart(8)} × ${rest.length} other reason(s)`);
  return lines;
}

/** One epoch's samples the packing block's `overLength: "reject"` left out (plan epoch manifest). */
export interface EpochPackRejects {
  readonly epoch: number;
  /** The epoch manifest's key in the run: its droppedIds and packing.rejectedReasons list them. */
  readonly manifestKey: string;
  readonly maxTokens: number;
  readonly maxImagesPerPack: number | null;
  readonly ids: readonly number[];
  readonly reasons: readonly PackRejectReason[];
}

/**
 * The packing rejects of a run's plan, epoch by epoch; null when its plan is not packed with
 * `overLength: "reject"` (nothing can be rejected, nothing is printed). Reads the plan manifests
 * only, not the rank files.
 */
export async function readPackRejects(runLocation: string, planManifestKey: string): Promise<EpochPackRejects[] | null> {
  const store = openStore(runLocation);
  const root = parseJsonArtifact(await store.get(planManifestKey), planManifestSchema, `${runLocation}/${planManifestKey}`);
  const packing = (root.spec as { packing?: { overLength?: string } }).packing;
  if (packing?.overLength !== 'reject') return null;
  const planPrefix = planManifestKey.slice(0, planManifestKey.lastIndexOf('/') + 1);
  return Promise.all(
    root.epochs.map(async ({ epoch, key }) => {
      const manifestKey = `${planPrefix}${key}`;
      const manifest = parseJsonArtifact(await store.get(manifestKey), epochManifestSchema, `${runLocation}/${manifestKey}`);
      const block = manifest.packing!;
      return {
        epoch,
        manifestKey,
        maxTokens: block.maxTokens,
        maxImagesPerPack: block.maxImagesPerPack,
        ids: manifest.droppedIds,
        reasons: block.rejectedReasons,
      };
    }),
  );
}

/** Example ids printed per reason. */
const SHOWN_IDS = 5;

/**
 * The summary lines of packing rejects, printed under the record rejects: the total, where the ids
 * and reasons are, then one line per reason with its limit, a few sample ids and the epochs.
 */
export function packRejectLines(runLocation: string, epochs: readonly EpochPackRejects[] | null): string[] {
  if (epochs === null) return [];
  const withRejects = epochs.filter((e) => e.ids.length > 0);
  if (withRejects.length === 0) return ['  pack rejects : none'];
  const first = withRejects[0]!;
  const perEpoch = new Set(withRejects.map((e) => e.ids.length));
  const counts =
    perEpoch.size === 1 && withRejects.length === epochs.length
      ? `${first.ids.length} per epoch`
      : withRejects.map((e) => `${e.ids.length} in epoch ${e.epoch}`).join(', ');
  const lines = [
    `  pack rejects : ${counts}, over the packing limits, in no pack (ids: ${runLocation}/${first.manifestKey} droppedIds, packing.rejectedReasons)`,
  ];
  for (const reason of PACK_REJECT_REASONS) {
    const ids = new Set<number>();
    const inEpochs: number[] = [];
    for (const e of withRejects) {
      const at = e.reasons.flatMap((r, k) => (r === reason ? [e.ids[k]!] : []));
      for (const id of at) ids.add(id);
      if (at.length > 0) inEpochs.push(e.epoch);
    }
    if (ids.size === 0) continue;
    const limit =
      reason === 'tokens-over-budget' ? `more tokens than maxTokens ${first.maxTokens}` : `more images than maxImagesPerPack ${first.maxImagesPerPack}`;
    const examples = [...ids].slice(0, SHOWN_IDS).join(', ');
    lines.push(
      `    ${String(ids.size).padStart(8)} × ${reason}: ${limit}, samples ${examples}${ids.size > SHOWN_IDS ? ', …' : ''} [${inEpochs.length > 1 ? 'epochs' : 'epoch'} ${inEpochs.join(', ')}]`,
    );
  }
  return lines;
}
