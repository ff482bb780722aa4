/**
 * Retries with capped exponential backoff and full jitter (AWS's recommended shape): the n-th wait
 * is a random fraction of min(maxDelayMs, baseDelayMs × 2^n), so clients throttled together do not
 * come back together.
 */

/** How a call is retried. `sleep` and `random` are injectable so tests run without waiting. */
export interface RetryPolicy {
  /** Calls in all, the first included (1 = no retry). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Told before each wait (for logs and tests). */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/** Six calls over up to ~15 s: enough for Step Functions' API throttling to clear. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

/** Resolve after `ms` milliseconds. */
export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Run `call`, retrying while `isTransient(error)` holds and attempts remain; the last error is
 * rethrown as is (the caller names it). Non-transient errors are never retried.
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
  const sleep = policy.sleep ?? sleepMs;
  const random = policy.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.attempts || !isTransient(error)) throw error;
      const delayMs = Math.round(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
      policy.onRetry?.(attempt, delayMs, error);
      await sleep(delayMs);
    }
  }
}
