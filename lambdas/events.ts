/** The task events, defined next to the handlers they feed (lib/run/pipeline) and shared with the local runner. */
export * from '../lib/run/pipeline/events.js';
