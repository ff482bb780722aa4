import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { isExecutionArn } from '../../core/pipeline/state-machine-arn.js';
import { describeRemoteExecution, type ExecutionStatusReport } from '../../run/remote/execution-status.js';
import type { RemoteTarget } from '../../run/remote/remote-target.js';
import { addRemoteTargetOptions, bucketOpener, remoteTargetOf, stepFunctionsFromEnvironment, type RemoteTargetFlags } from '../remote-options.js';
import { remoteSummaryLines } from '../remote-report.js';

/** `megashard status <execution>`: one execution of the deployed pipeline as it stands. */
export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .description(
      'Show one execution of the deployed pipeline: status, current state, Distributed Map item counts, and the run folder, audit verdict or failure.',
    )
    .argument('<execution>', 'execution name (as `megashard runs --on aws` lists it) or ARN')
    .option('--json', 'print the status as one JSON object', false);
  addRemoteTargetOptions(command);
  command.action(async (execution: string, options: RemoteTargetFlags & { json: boolean }) => {
    const target = await targetFor(execution, options);
    const report = await describeRemoteExecution(stepFunctionsFromEnvironment(), execution, {
      ...(target !== undefined ? { target, openBucket: bucketOpener(target.bucket) } : {}),
    });
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${statusLines(report).join('\n')}\n`);
  });
}

/** The target: required for a name; for an ARN only when one is given (for the run folder's bucket). */
async function targetFor(execution: string, flags: RemoteTargetFlags): Promise<RemoteTarget | undefined> {
  try {
    return await remoteTargetOf(flags);
  } catch (error) {
    if (isExecutionArn(execution) && error instanceof InvalidInputError && (error.field === '--state-machine' || error.field === '--bucket')) return undefined;
    throw error;
  }
}

/** The summary, then the state being run and each Distributed Map's items. */
export function statusLines(report: ExecutionStatusReport): string[] {
  const lines = remoteSummaryLines(report.summary);
  if (report.currentState !== undefined) lines.splice(1, 0, `  current state: ${report.currentState}`);
  for (const map of report.maps) {
    const { succeeded, failed, timedOut, aborted, running, pending, total } = map.items;
    lines.push(
      `  map ${map.state}: ${map.status}, ${succeeded}/${total} items done, ${failed + timedOut + aborted} failed, ${running} running, ${pending} pending`,
    );
  }
  return lines;
}
