import { serveWorkerTasks } from '../../../lib/local/worker-task.js';

// A test worker: squares numbers after a slow-ish setup; fails on negative input.
serveWorkerTasks(
  async (data) => ({ offset: (data as { offset: number }).offset }),
  async (state, task: number) => {
    if (task < 0) throw Object.assign(new Error(`negative task ${task}`), { name: 'InvalidInput' });
    // Finish out of order: larger numbers return sooner.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20 - task)));
    return task * task + state.offset;
  },
);
