/**
 * The deployed pipeline a remote command talks to: its state machine and bucket, from flags, an
 * outputs file or the environment (in that order), checked before anything is uploaded.
 */
import { InvalidInputError } from '../../core/errors.js';
import { parseStateMachineArn, type StateMachineArn } from '../../core/pipeline/state-machine-arn.js';
import { DATASETS_PREFIX, RUNS_PREFIX } from '../../core/run-layout.js';
import { checkBucketName } from '../../io/split-url.js';
import type { StepFunctions } from '../../io/step-functions.js';
import { STACK_OUTPUT_IDS, type PipelineOutputs } from './stack-outputs.js';

/** Environment variables a remote command falls back on. */
export const REMOTE_ENV = { stateMachineArn: 'MEGASHARD_STATE_MACHINE_ARN', bucket: 'MEGASHARD_BUCKET' } as const;

/** A deployed pipeline. */
export interface RemoteTarget {
  readonly stateMachine: StateMachineArn;
  readonly bucket: string;
  /** `datasets/`: uploads under it start runs. */
  readonly datasetsPrefix: string;
  /** `runs/`: each run writes `runs/<run id>/`. */
  readonly runsPrefix: string;
}

/** Where the target may come from; the first source that names a field wins. */
export interface RemoteTargetSources {
  readonly stateMachine?: string;
  readonly bucket?: string;
  readonly outputs?: PipelineOutputs;
  readonly env?: NodeJS.ProcessEnv;
}

/** The target from flags, then the outputs file, then the environment; InvalidInput saying how to name it otherwise. */
export function resolveRemoteTarget(sources: RemoteTargetSources): RemoteTarget {
  const env = sources.env ?? {};
  const arn = sources.stateMachine ?? sources.outputs?.[STACK_OUTPUT_IDS.stateMachineArn] ?? env[REMOTE_ENV.stateMachineArn];
  const bucket = sources.bucket ?? sources.outputs?.[STACK_OUTPUT_IDS.bucket] ?? env[REMOTE_ENV.bucket];
  const how = `pass --outputs FILE (written by \`npx cdk deploy --outputs-file FILE\`), or --state-machine ARN and --bucket NAME, or set ${REMOTE_ENV.stateMachineArn} and ${REMOTE_ENV.bucket}`;
  if (arn === undefined || arn === '') throw new InvalidInputError('--state-machine', `no state machine given; ${how}`);
  if (bucket === undefined || bucket === '') throw new InvalidInputError('--bucket', `no bucket given; ${how}`);
  checkBucketName(bucket, `s3://${bucket}`);
  return {
    stateMachine: parseStateMachineArn(arn, '--state-machine'),
    bucket,
    datasetsPrefix: withSlash(sources.outputs?.[STACK_OUTPUT_IDS.datasetsPrefix] ?? DATASETS_PREFIX),
    runsPrefix: withSlash(sources.outputs?.[STACK_OUTPUT_IDS.runsPrefix] ?? RUNS_PREFIX),
  };
}

function withSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/**
 * Refuse a target these credentials cannot drive, before any upload: no region configured, a
 * state machine in another region or (when the credentials say) another account, or one that does
 * not exist or may not be described.
 */
export async function checkRemoteTarget(sfn: StepFunctions, target: RemoteTarget): Promise<void> {
  const { region, account, arn } = target.stateMachine;
  const caller = await sfn.callerIdentity();
  if (caller.region === undefined) throw new InvalidInputError('AWS_REGION', `is not set; set AWS_REGION=${region} (the state machine's region)`);
  if (caller.region !== region) {
    throw new InvalidInputError(
      '--state-machine',
      `${arn} is in region ${region}, but the AWS configuration says ${caller.region}; set AWS_REGION=${region}, or use the outputs of the stack deployed in ${caller.region}`,
    );
  }
  if (caller.accountId !== undefined && caller.accountId !== account) {
    throw new InvalidInputError(
      '--state-machine',
      `${arn} belongs to account ${account}, but the credentials are for account ${caller.accountId}; use a profile of account ${account}`,
    );
  }
  await sfn.describeStateMachine(arn);
}
