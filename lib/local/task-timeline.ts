/**
 * When tasks ran, to tell the state machine's own time from the tasks': overhead is the run's wall
 * time minus the time during which at least one task was running (tasks overlap in a Map, so
 * summing their durations would count parallel work twice).
 */
export class TaskTimeline {
  private readonly intervals: Array<readonly [number, number]> = [];
  private readonly perTask = new Map<string, { calls: number; ms: number }>();

  /** Time one call of `task` (ms from performance.now()), recording it even when it throws. */
  async time<T>(task: string, call: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await call();
    } finally {
      const end = performance.now();
      this.intervals.push([start, end]);
      const totals = this.perTask.get(task) ?? { calls: 0, ms: 0 };
      this.perTask.set(task, { calls: totals.calls + 1, ms: totals.ms + (end - start) });
    }
  }

  /** Calls and summed duration (ms) of each task, in first-call order. */
  byTask(): Record<string, { calls: number; ms: number }> {
    return Object.fromEntries(this.perTask);
  }

  /** Task calls recorded. */
  get calls(): number {
    return this.intervals.length;
  }

  /** Sum of every call's duration (ms): the CPU-side work, parallel calls counted each. */
  totalMs(): number {
    return this.intervals.reduce((sum, [start, end]) => sum + (end - start), 0);
  }

  /** Length of the union of the calls' intervals (ms): time with at least one task running. */
  busyMs(): number {
    const sorted = [...this.intervals].sort((a, b) => a[0] - b[0]);
    let busy = 0;
    let coveredTo = Number.NEGATIVE_INFINITY;
    for (const [start, end] of sorted) {
      if (end <= coveredTo) continue;
      busy += end - Math.max(start, coveredTo);
      coveredTo = end;
    }
    return busy;
  }
}
