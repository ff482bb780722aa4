import type { z } from 'zod';
import { STEPS_PREFIX } from '../../core/run-layout.js';
import { joinKey } from '../../io/object-store.js';
import type { StoreRoot } from '../../io/store-root.js';
import { auditedSectionSchema, auditSection } from '../audit/audit-section.js';
import { auditPartialStepName } from '../shards/shard-steps.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, sectionEventSchema } from './events.js';

/** What one AuditPartial call returns: its digest and how many files it verified. */
export const auditPartialResultSchema = auditedSectionSchema;

/**
 * AuditPartial: one Distributed Map item, a section's shard files verified and checked alone, its
 * digest written for the reduce. Once the audit is recorded the digests are deleted, so a resumed
 * execution then takes the recorded result as it stands.
 */
export function createAuditPartialHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof auditPartialResultSchema>> => {
    const { runPrefix, datasetPrefix: _dataset, ...section } = parseEvent(sectionEventSchema, event);
    const run = root.openUnder(runPrefix);
    const step = auditPartialStepName(section.section);
    const auditRecorded = () => run.exists(joinKey(STEPS_PREFIX, 'audit.json'));
    return (await runStepOnce(run, step, auditPartialResultSchema, (out) => auditSection(out, section), { keepRecordWhenObjectsGone: auditRecorded })).result;
  };
}
