/**
 * A failed check's evidence: where (epoch, rank, step, as far as they are known) and what. A
 * reviewer must be able to open the named shard at the named record batch and see the problem.
 */
export interface Finding {
  readonly epoch: number | null;
  readonly rank: number | null;
  readonly step: number | null;
  readonly message: string;
}

/** Where a finding is, as `epoch 0 rank 3 step 17` (only the parts that are known). */
export function describePlace(finding: Pick<Finding, 'epoch' | 'rank' | 'step'>): string {
  const parts: string[] = [];
  if (finding.epoch !== null) parts.push(`epoch ${finding.epoch}`);
  if (finding.rank !== null) parts.push(`rank ${finding.rank}`);
  if (finding.step !== null) parts.push(`step ${finding.step}`);
  return parts.join(' ');
}

/** The finding as one line: `epoch 0 rank 3 step 17: sample 123 seen twice (…)`. */
export function describeFinding(finding: Finding): string {
  const place = describePlace(finding);
  return place === '' ? finding.message : `${place}: ${finding.message}`;
}

/** How many findings of one check a report keeps; the count is always exact. */
export const KEPT_FINDINGS_PER_CHECK = 20;

/**
 * Findings of one check: all are counted, the first few are kept. A tampered 10M-sample epoch can
 * produce millions of findings; a report needs the first ones and the total.
 */
export class FindingList {
  private readonly kept: Finding[] = [];
  private total = 0;

  constructor(private readonly limit: number = KEPT_FINDINGS_PER_CHECK) {}

  /** Record one finding. */
  add(epoch: number | null, rank: number | null, step: number | null, message: string): void {
    this.total++;
    if (this.kept.length < this.limit) this.kept.push({ epoch, rank, step, message });
  }

  /** Record findings made elsewhere (their total may exceed what they kept). */
  addAll(findings: readonly Finding[], total: number = findings.length): void {
    for (const finding of findings) {
      if (this.kept.length < this.limit) this.kept.push(finding);
    }
    this.total += total;
  }

  get count(): number {
    return this.total;
  }

  get findings(): readonly Finding[] {
    return this.kept;
  }
}
