/**
 * Whether the execution holding a run lock still runs. A local execution is a process on a machine:
 * it runs while that process lives (and, in this process, while the local runner has it
 * registered). An AWS execution runs while Step Functions says RUNNING. Whatever cannot be checked
 * is assumed to run: taking over a live run's lock would start a second writer of the same run.
 */
import { hostname } from 'node:os';
import { StepFunctions } from '../../io/step-functions.js';
import type { ExecutionLiveness, RunLock } from './run-lock.js';

/** Local executions running in this process, by execution id (the local runner registers its own). */
const runningHere = new Set<string>();

/** Mark a local execution as running in this process until the returned function is called. */
export function registerLocalExecution(executionId: string): () => void {
  runningHere.add(executionId);
  return () => runningHere.delete(executionId);
}

/** The lock an execution asks for: a local one (registered here) also names this machine and process. */
export function runLockFor(runId: string, execution: { readonly name: string; readonly id: string }): RunLock {
  const local = runningHere.has(execution.id) ? { host: hostname(), pid: process.pid } : {};
  return { kind: 'megashard-run-lock', formatVersion: 1, runId, execution: execution.name, executionId: execution.id, ...local };
}

/** What liveness checks need from the machine and from Step Functions (injectable for tests). */
export interface LivenessProbes {
  readonly host: string;
  readonly pid: number;
  /** Whether a process of this machine is alive. */
  readonly processAlive: (pid: number) => boolean;
  /** An AWS execution's status, undefined when it does not exist. */
  readonly executionStatus: (executionArn: string) => Promise<string | undefined>;
}

/** The probes of this process: `kill(pid, 0)` and DescribeExecution with the default AWS client. */
export function defaultLivenessProbes(): LivenessProbes {
  let sfn: StepFunctions | undefined;
  return {
    host: hostname(),
    pid: process.pid,
    processAlive,
    executionStatus: async (arn) => (await (sfn ??= new StepFunctions()).describeExecution(arn))?.status,
  };
}

/** Liveness by the holder's kind: local (host and pid in the lock) or an AWS execution. */
export function createExecutionLiveness(probes: LivenessProbes = defaultLivenessProbes()): ExecutionLiveness {
  return async (holder) => {
    if (holder.host !== undefined && holder.pid !== undefined) {
      if (holder.host !== probes.host) return true;
      if (holder.pid === probes.pid) return runningHere.has(holder.executionId);
      return probes.processAlive(holder.pid);
    }
    if (!holder.executionId.startsWith('arn:')) return true;
    try {
      const status = await probes.executionStatus(holder.executionId);
      return status === 'RUNNING' || status === 'PENDING_REDRIVE';
    } catch {
      // No permission or no network: cannot tell, so the holder keeps the lock (the no-op says how to clear it).
      return true;
    }
  };
}

/** Signal 0 checks a process exists without touching it; EPERM means it exists but is not ours. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
