import { ArnFormat, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DATASETS_PREFIX, RUNS_PREFIX } from '../lib/core/run-layout.js';
import { STACK_OUTPUT_IDS } from '../lib/run/remote/stack-outputs.js';
import { DataBucket } from './data-bucket.js';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';
import { PipelineFunctions } from './pipeline-functions.js';
import { PipelineStateMachine } from './state-machine.js';
import { UploadTrigger } from './upload-trigger.js';

/**
 * The cloud pipeline: uploading `datasets/<name>/dataset.json` makes the upload trigger start one
 * Step Functions execution, named by the upload, that runs every state of the pipeline in the same
 * bucket under `runs/<run id>/`. Its outputs (bucket, state machine, prefixes) are what
 * `megashard run --on aws --outputs FILE` reads. Environment-agnostic, so it synthesizes offline.
 */
export class PipelineStack extends Stack {
  readonly data: DataBucket;
  readonly functions: PipelineFunctions;
  readonly pipeline: PipelineStateMachine;
  readonly trigger: UploadTrigger;
  /** Lets Prepare ask whether the execution holding a run lock still runs (DescribeExecution). */
  readonly lockHolderCheck: iam.Policy;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // Without this flag CDK silently drops resultWriterV2 from the ASL.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    this.data = new DataBucket(this, 'Storage');
    this.functions = new PipelineFunctions(this, 'Functions', this.data.bucket);
    this.pipeline = new PipelineStateMachine(this, 'Pipeline', { bucket: this.data.bucket, functions: this.functions });
    // Uploads start runs through the trigger, which names each execution by its upload (idempotent).
    this.trigger = new UploadTrigger(this, 'UploadTrigger', { bucket: this.data.bucket, stateMachine: this.pipeline.stateMachine });
    this.lockHolderCheck = this.grantPrepareDescribeExecutions();
    this.addOutputs();
    acknowledgeNagFindings(this, {
      data: this.data,
      functions: this.functions,
      pipeline: this.pipeline,
      trigger: this.trigger,
      lockHolderCheck: this.lockHolderCheck,
    });
  }

  /**
   * DescribeExecution on this state machine's executions, for Prepare. A separate policy, not the
   * function's default one: the function must exist before the state machine that invokes it, and
   * this policy names the state machine, so in the default policy it would close a cycle.
   */
  private grantPrepareDescribeExecutions(): iam.Policy {
    const machineName = Fn.select(6, Fn.split(':', this.pipeline.stateMachine.stateMachineArn));
    const executions = this.formatArn({ service: 'states', resource: 'execution', resourceName: `${machineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const prepareRole = this.functions.of('Prepare').role;
    if (prepareRole === undefined) throw new Error('the Prepare function has no role');
    return new iam.Policy(this, 'PrepareChecksLockHolders', {
      roles: [prepareRole],
      statements: [new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] })],
    });
  }

  /** What `cdk deploy --outputs-file FILE` writes and `megashard run --on aws --outputs FILE` reads. */
  private addOutputs(): void {
    const outputs: Record<string, { value: string; description: string }> = {
      [STACK_OUTPUT_IDS.bucket]: { value: this.data.bucket.bucketName, description: 'The pipeline bucket: datasets in, runs out' },
      [STACK_OUTPUT_IDS.stateMachineArn]: { value: this.pipeline.stateMachine.stateMachineArn, description: 'The pipeline state machine' },
      [STACK_OUTPUT_IDS.datasetsPrefix]: { value: DATASETS_PREFIX, description: 'Upload datasets/<name>/ (dataset.json last) to start a run' },
      [STACK_OUTPUT_IDS.runsPrefix]: { value: RUNS_PREFIX, description: 'Each run writes runs/<run id>/' },
    };
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, id, output);
  }
}
