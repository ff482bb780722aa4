/** A stop request from the terminal: the signal to pass down, and how to stop listening. */
export interface SignalStop {
  readonly signal: AbortSignal;
  /** Remove the handlers (call when the command ends). */
  readonly dispose: () => void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The first SIGINT or SIGTERM aborts `signal` (the command finishes what it is doing and stops,
 * `onStop` says so); a second one exits at once with 130, as a shell expects after Ctrl-C.
 */
export function stopOnSignals(onStop: () => void): SignalStop {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    onStop();
  };
  for (const name of STOP_SIGNALS) process.on(name, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of STOP_SIGNALS) process.off(name, handler);
    },
  };
}
