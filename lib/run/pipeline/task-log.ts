import { Logger } from '@aws-lambda-powertools/logger';
import type { z } from 'zod';
import { MegashardError, UnexpectedError } from '../../core/errors.js';

/** A task's handler: the event in, a small JSON result out (what a Lambda returns). */
export type TaskHandler = (event: unknown) => Promise<unknown>;

/**
 * The pipeline's logger (Powertools for AWS Lambda): one JSON line per task call. On Lambda its
 * level comes from POWERTOOLS_LOG_LEVEL / the function's log config (default INFO); locally it is
 * silent unless the run is `--verbose`.
 */
export function createTaskLogger(options: { readonly silent?: boolean } = {}): Logger {
  return new Logger({ serviceName: 'megashard', ...(options.silent === true ? { logLevel: 'SILENT' as const } : {}) });
}

/**
 * Wrap a task's handler so every call writes one structured line — task, run, duration and the
 * result's counts, or the error's name — and returns a result checked against the task's schema.
 * An exception that is not one of ours becomes an UnexpectedError naming the task: a raw library
 * message never reaches Step Functions or the user alone.
 */
export function withTaskLog<R extends z.ZodType>(
  task: string,
  handler: (event: unknown) => Promise<unknown>,
  result: R,
  logger: Logger,
): (event: unknown) => Promise<z.output<R>> {
  return async (event) => {
    const started = performance.now();
    const run = runOfEvent(event);
    try {
      const output = result.parse(await handler(event));
      logger.info('task done', { task, run, durationMs: elapsedMs(started), counts: countsOf(output) });
      return output;
    } catch (caught) {
      const error = isNamedError(caught) ? caught : new UnexpectedError(`task ${task}${run === undefined ? '' : ` (${run})`}`, caught);
      logger.error('task failed', { task, run, durationMs: elapsedMs(started), error: error.name, message: error.message });
      throw error;
    }
  };
}

/** Errors Step Functions can Retry/Catch by a name we chose (ours, or carried back from a worker). */
function isNamedError(error: unknown): error is Error {
  return error instanceof MegashardError;
}

/** The run a task's event belongs to: its run folder, or the uploaded dataset.json for Prepare. */
function runOfEvent(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const fields = event as { runPrefix?: unknown; datasetKey?: unknown; BatchInput?: { runPrefix?: unknown } };
  const value = fields.runPrefix ?? fields.BatchInput?.runPrefix ?? fields.datasetKey;
  return typeof value === 'string' ? value : undefined;
}

/** The numeric fields of a result (counts: samples, chunks, files…): what a log line needs of it. */
function countsOf(output: unknown): Record<string, number> {
  if (typeof output !== 'object' || output === null) return {};
  return Object.fromEntries(Object.entries(output).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

function elapsedMs(started: number): number {
  return Math.round(performance.now() - started);
}
