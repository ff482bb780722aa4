import { lambdaTaskHandler } from '../task-handler.js';

/** ListImages: its row of the task table (lib/run/pipeline/task-table.ts) over the pipeline's bucket. */
export const handler = lambdaTaskHandler('ListImages');
