import { createPrepareHandler } from '../../lib/run/pipeline/prepare-task.js';
import { bucketRoot } from '../bucket-store.js';

/** Prepare: validate dataset.json, fingerprint the run, write its chunk list (see lib/run/pipeline/prepare-task.ts). Built at module scope: a warm Lambda reuses it. */
export const handler = createPrepareHandler(bucketRoot);
