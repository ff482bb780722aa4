import { Option, type Command } from 'commander';
import { S3ObjectStore } from '../io/s3-store.js';
import { StepFunctions } from '../io/step-functions.js';
import { resolveRemoteTarget, REMOTE_ENV, type RemoteTarget } from '../run/remote/remote-target.js';
import { pipelineOutputsOf } from '../run/remote/stack-outputs.js';
import { intOption } from './parse-int-option.js';
import { readJsonFile } from './read-json-file.js';

/** The flags that name the deployed pipeline (shared by run --on aws, runs and status). */
export interface RemoteTargetFlags {
  readonly outputs?: string;
  readonly stack?: string;
  readonly stateMachine?: string;
  readonly bucket?: string;
  readonly pollMs?: number;
}

/** Add --outputs, --stack, --state-machine, --bucket and --poll-ms to a command. */
export function addRemoteTargetOptions(command: Command): Command {
  return command
    .option('--outputs <file>', 'the stack outputs written by `npx cdk deploy --outputs-file <file>` (state machine ARN, bucket)')
    .option('--stack <name>', 'the stack in the outputs file, when it holds several')
    .option('--state-machine <arn>', `the pipeline's state machine ARN (overrides --outputs; env ${REMOTE_ENV.stateMachineArn})`)
    .option('--bucket <name>', `the pipeline's bucket (overrides --outputs; env ${REMOTE_ENV.bucket})`)
    .addOption(new Option('--poll-ms <ms>', 'pause between progress polls').argParser(intOption('--poll-ms', 100)).default(2000));
}

/** The deployed pipeline the flags (then the outputs file, then the environment) name. */
export async function remoteTargetOf(flags: RemoteTargetFlags, env: NodeJS.ProcessEnv = process.env): Promise<RemoteTarget> {
  const outputs = flags.outputs !== undefined ? pipelineOutputsOf(await readJsonFile(flags.outputs, '--outputs'), flags.outputs, flags.stack) : undefined;
  return resolveRemoteTarget({
    ...(flags.stateMachine !== undefined ? { stateMachine: flags.stateMachine } : {}),
    ...(flags.bucket !== undefined ? { bucket: flags.bucket } : {}),
    ...(outputs !== undefined ? { outputs } : {}),
    env,
  });
}

/** The pipeline's bucket under a key prefix, on the process-wide S3 client (standard AWS environment). */
export function bucketOpener(bucket: string): (prefix: string) => S3ObjectStore {
  return (prefix) => new S3ObjectStore(prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`);
}

/** Step Functions on a client built from the standard AWS environment. */
export function stepFunctionsFromEnvironment(): StepFunctions {
  return new StepFunctions();
}
