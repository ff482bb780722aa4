/**
 * When tasks ran, to tell the state machine's own time from the tasks': overhead is the run's wall
 * time minus the time during which at least one task was running (tasks overlap in a Map, so
 * summing their durations would count parallel work twice).
 */
export class TaskTimeline {
  private readonly intervals: Array<readonly [number, number]> = [];

  /** Time one task call (ms from performance.now()), recording it even when it throws. */
  async time<T>(call: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await call();
    } finally {
      this.intervals.push([start, performance.now()]);
    }
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
