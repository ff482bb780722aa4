import type { MapRunProgress } from './distributed-map/run-children.js';

/** What the local runner reports as the machine runs (for progress and timing). */
export type LocalRunEvent =
  | {
      readonly kind: 'state';
      readonly phase: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
      readonly state: string;
      /** The state's ASL type as run (a Distributed Map runs as a Task standing in for it). */
      readonly type: string;
      /** 0 for the top-level machine, 1 inside a Map's child executions. */
      readonly depth: number;
      readonly error?: string;
      readonly cause?: string;
    }
  | { readonly kind: 'map'; readonly state: string; readonly progress: MapRunProgress };
