/**
 * `runs --on aws`: the state machine's recent executions with the run each one works on — the run
 * id from the execution's output, or from Prepare's output while it still runs.
 */
import { z } from 'zod';
import type { StepFunctions } from '../../io/step-functions.js';
import type { ExecutionListItem, ExecutionStatus } from '../../io/step-functions-types.js';
import type { RemoteTarget } from './remote-target.js';

/** One row of `runs`. */
export interface RemoteRunListing {
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly runId?: string;
  readonly startDate: string;
  /** Until it stopped, or until `now` while running. */
  readonly durationMs: number;
  readonly executionArn: string;
}

const runIdSchema = z.looseObject({ runId: z.string().min(1) });
/** Describes and history reads in flight at once: quick, and well under Step Functions' API rates. */
const CONCURRENT_READS = 4;

/** The `limit` most recent executions, newest first, each with its run id when one is known. */
export async function listRemoteRuns(sfn: StepFunctions, target: RemoteTarget, limit: number, now: Date = new Date()): Promise<RemoteRunListing[]> {
  const items = await sfn.listExecutions(target.stateMachine.arn, limit);
  const rows: RemoteRunListing[] = [];
  for (let start = 0; start < items.length; start += CONCURRENT_READS) {
    rows.push(...(await Promise.all(items.slice(start, start + CONCURRENT_READS).map((item) => listingOf(sfn, item, now)))));
  }
  return rows;
}

async function listingOf(sfn: StepFunctions, item: ExecutionListItem, now: Date): Promise<RemoteRunListing> {
  const runId = await runIdOf(sfn, item);
  return {
    name: item.name,
    status: item.status,
    ...(runId !== undefined ? { runId } : {}),
    startDate: item.startDate.toISOString(),
    durationMs: (item.stopDate ?? now).getTime() - item.startDate.getTime(),
    executionArn: item.executionArn,
  };
}

/** The run id: in the output of a succeeded execution, else in Prepare's output (none if Prepare failed). */
async function runIdOf(sfn: StepFunctions, item: ExecutionListItem): Promise<string | undefined> {
  if (item.status === 'SUCCEEDED') {
    const described = await sfn.describeExecution(item.executionArn);
    const fromOutput = runIdIn(described?.output);
    if (fromOutput !== undefined) return fromOutput;
  }
  const prepared = (await sfn.historySince(item.executionArn)).find((event) => event.type === 'TaskStateExited' && event.stateName === 'Prepare');
  return runIdIn(prepared?.output);
}

function runIdIn(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed = runIdSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data.runId : undefined;
  } catch {
    return undefined;
  }
}
