/**
 * Run `work(i)` for i in [0, count) with at most `inFlight` calls pending: object-store requests
 * are latency-bound (tens of ms on S3), so one call issuing thousands of them must overlap them,
 * but not without bound (memory, sockets, S3's per-prefix request rate). Results keep item order.
 */
export async function mapWithConcurrency<T>(count: number, inFlight: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // After one failure the others stop taking items: the call fails anyway.
    for (let i = next++; i < count && !failed; i = next++) {
      try {
        results[i] = await work(i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, count)) }, worker));
  return results;
}

/** Requests one shard-stage call keeps in flight by default. */
export const DEFAULT_REQUESTS_IN_FLIGHT = 16;
