import { describeFinding, FindingList, type Finding } from './finding.js';
import type { AuditCheck, CheckId } from './report-schema.js';

/** Every check: its title and what passing proves (shown in the report and docs/audit.md). */
export const CHECK_CATALOG: Readonly<Record<CheckId, { readonly title: string; readonly description: string }>> = {
  'shard-files': {
    title: 'Shard files intact',
    description:
      'Every rank of every epoch has its shard; each file matches its manifest (size, sha256), decodes, and its metadata names its own epoch, rank and the run’s shape.',
  },
  'known-ids': { title: 'No unknown ids', description: 'Every sample id in the shards is a row of the length index.' },
  'exactly-once': {
    title: 'Every sample exactly once',
    description:
      'In every epoch each sample not declared dropped occurs exactly once unflagged; declared drops never occur; every padding entry repeats a sample that occurs for real. In a mixed epoch, per source: each sample occurs unflagged exactly as often as the draw declares — recomputed from the plan manifest’s mixture block, the seed and the index’s source column, never taken from the shards.',
  },
  'padding-declared': {
    title: 'Padding as declared',
    description: 'The number of entries flagged as padding equals what the plan’s epoch manifest declares.',
  },
  'source-weights': {
    title: 'Every weighted source drawn',
    description:
      'In a mixed epoch no source’s weight rounds it to zero entries (a warning, repeated from the plan manifest: the source is left out of that epoch on purpose, not lost).',
  },
  'equal-steps': {
    title: 'Equal steps on every rank',
    description: 'Every rank runs the same number of micro-steps, so no rank waits forever at a collective.',
  },
  'full-micro-batches': {
    title: 'Full micro-batches',
    description: 'Every record batch holds micro_batch_size rows; only a rank’s last may be shorter, and none is empty.',
  },
  'pack-structure': {
    title: 'Packs tile the steps',
    description:
      'Packed runs: every row belongs to one pack, no pack is empty or crosses a step’s record batch, every step holds a pack (full-micro-batches does not apply).',
  },
  'pack-budget': {
    title: 'No pack over budget',
    description: 'Packed runs: every pack’s total_tokens fit maxTokens, except a lone over-length sample under the declared own-pack policy.',
  },
  'pack-image-cap': {
    title: 'Image cap held',
    description: 'Packed runs with maxImagesPerPack: no pack holds more images (by the index) than the cap, with the same own-pack exception.',
  },
  'pack-positions': {
    title: 'Position ids and boundaries',
    description:
      'Packed tokens shards: position_ids restart at 0 for every sample and, image sentinels expanded, end at its total_tokens; each row has one sentinel per image.',
  },
  'boundary-labels': {
    title: 'Boundary labels masked',
    description: 'Packed tokens shards: the first label of every sample after the first in a pack is −100, so no token learns to predict the next sample.',
  },
  'matches-plan': {
    title: 'Shards match the plan',
    description: 'Each rank’s shard holds exactly the rows of its plan file, in order and in the same micro-steps; the first differing row is named.',
  },
  'index-agreement': {
    title: 'Rows agree with the index',
    description: 'Each row’s total_tokens, trainable_tokens, modality and |length| equal the length index’s values for its sample.',
  },
  'longest-first': {
    title: 'Longest micro-batch first',
    description:
      'The first step holds the epoch’s longest sample, so an out-of-memory shows at once (a failure for strategies that promise it, a warning otherwise).',
  },
  'epochs-differ': {
    title: 'Epochs ordered differently',
    description: 'No two epochs iterate every rank in the same order (a warning: tiny epochs can repeat an order by chance, and a strategy may not reshuffle).',
  },
};

/** Check ids in report order. */
export const CHECK_IDS = Object.keys(CHECK_CATALOG) as CheckId[];

/**
 * Collects each check's findings across epochs, and whether a check applied at all, then renders
 * them as report checks. A check with findings fails, or only warns where its findings are advisory.
 */
export class CheckLedger {
  private readonly findings = new Map<CheckId, FindingList>(CHECK_IDS.map((id) => [id, new FindingList()]));
  private readonly applied = new Set<CheckId>();
  private readonly advisory = new Set<CheckId>(['epochs-differ']);

  /** Record that a check ran, with its findings (possibly none). */
  record(id: CheckId, found: FindingList | readonly Finding[]): void {
    this.applied.add(id);
    const list = this.findings.get(id)!;
    if (found instanceof FindingList) list.addAll(found.findings, found.count);
    else list.addAll(found);
  }

  /** Make a check's findings warnings rather than failures. */
  markAdvisory(id: CheckId): void {
    this.advisory.add(id);
  }

  /** The report's checks, in catalog order. */
  checks(): AuditCheck[] {
    return CHECK_IDS.map((id) => {
      const list = this.findings.get(id)!;
      const { title, description } = CHECK_CATALOG[id];
      const status = !this.applied.has(id) ? 'skip' : list.count === 0 ? 'pass' : this.advisory.has(id) ? 'warn' : 'fail';
      const first = list.findings[0];
      const summary =
        status === 'skip'
          ? 'not applicable to this run'
          : first === undefined
            ? 'ok'
            : `${describeFinding(first)}${list.count > 1 ? ` (and ${list.count - 1} more)` : ''}`;
      return { id, title, description, status, summary, failureCount: list.count, failures: [...list.findings] };
    });
  }
}
