/**
 * Step names of the shard and audit fan-outs (`steps/<name>.json`), derived from the item alone so
 * a retried or resumed call finds its record, and FinishShards and the audit reduce find every
 * call's result without a listing.
 */
const pad = (n: number) => String(n).padStart(6, '0');

/** The Route call of tokens file `file`. */
export function routeStepName(file: number): string {
  return `route/part-${pad(file)}`;
}

/** The Assemble call of section `section`. */
export function assembleStepName(section: number): string {
  return `assemble/section-${pad(section)}`;
}

/** The audit partial of section `section`. */
export function auditPartialStepName(section: number): string {
  return `audit-partial/section-${pad(section)}`;
}
