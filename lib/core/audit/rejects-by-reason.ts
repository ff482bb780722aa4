/** What the audit needs of a reject (the rejects/*.jsonl lines of a tokenize run). */
export interface RejectLike {
  readonly source: string;
  readonly reason: string;
}

/** Rejects sharing a reason once specifics (quoted names, numbers) are blanked out. */
export interface RejectReasonCount {
  /** The reason with quoted text as "…" and numbers as N: `image "…": missing image file`. */
  readonly reason: string;
  readonly count: number;
  /** One full reason as written, to show what the class looks like. */
  readonly example: string;
  /** Sources with rejects of this reason, sorted. */
  readonly sources: string[];
}

/**
 * The class of a reject reason: reasons name the record, image or byte they are about, so
 * identical problems read differently; blanking quoted text and numbers groups them.
 */
export function reasonClass(reason: string): string {
  return reason.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\d+/g, 'N');
}

/** Count rejects by reason class, most frequent first (ties by reason, so the order is stable). */
export function countRejectsByReason(rejects: Iterable<RejectLike>): RejectReasonCount[] {
  const classes = new Map<string, { count: number; example: string; sources: Set<string> }>();
  for (const reject of rejects) {
    const key = reasonClass(reject.reason);
    const entry = classes.get(key) ?? { count: 0, example: reject.reason, sources: new Set<string>() };
    entry.count++;
    entry.sources.add(reject.source);
    classes.set(key, entry);
  }
  return [...classes.entries()]
    .map(([reason, { count, example, sources }]) => ({ reason, count, example, sources: [...sources].sort() }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}
