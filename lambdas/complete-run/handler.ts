import { createCompleteRunHandler } from '../../lib/run/pipeline/complete-run-task.js';
import { bucketRoot } from '../bucket-store.js';

/** CompleteRun: write the run's run.json last (see lib/run/pipeline/complete-run-task.ts). Built at module scope: a warm Lambda reuses it. */
export const handler = createCompleteRunHandler(bucketRoot);
