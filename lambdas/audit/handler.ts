import { createAuditHandler } from '../../lib/run/pipeline/audit-task.js';
import { bucketRoot } from '../bucket-store.js';

/** Audit: check the written shards, write audit/report.json and .html (see lib/run/pipeline/audit-task.ts). Built at module scope: a warm Lambda reuses it. */
export const handler = createAuditHandler(bucketRoot);
