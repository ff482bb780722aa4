import { lambdaTaskHandler } from '../task-handler.js';

/** PlanImageListing: its row of the task table (lib/run/pipeline/task-table.ts) over the pipeline's bucket. */
export const handler = lambdaTaskHandler('PlanImageListing');
