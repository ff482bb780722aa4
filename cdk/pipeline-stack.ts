import { Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { DataBucket } from './data-bucket.js';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';
import { PipelineFunctions } from './pipeline-functions.js';
import { PipelineStateMachine } from './state-machine.js';

/**
 * The cloud pipeline: uploading `datasets/<name>/dataset.json` starts one Step Functions execution
 * that prepares, tokenizes (Distributed Map), merges the index and plans the shards, all in the
 * same bucket under `runs/<execution name>/`. Environment-agnostic, so it synthesizes offline.
 */
export class PipelineStack extends Stack {
  readonly data: DataBucket;
  readonly functions: PipelineFunctions;
  readonly pipeline: PipelineStateMachine;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // Without this flag CDK silently drops resultWriterV2 from the ASL.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    this.data = new DataBucket(this, 'Storage');
    this.functions = new PipelineFunctions(this, 'Functions', this.data.bucket);
    this.pipeline = new PipelineStateMachine(this, 'Pipeline', { bucket: this.data.bucket, functions: this.functions });
    new events.Rule(this, 'OnDatasetUploaded', {
      description: 'Start a run when a dataset.json is uploaded under datasets/',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.data.bucket.bucketName] }, object: { key: [{ suffix: '/dataset.json' }] } },
      },
      targets: [new targets.SfnStateMachine(this.pipeline.stateMachine)],
    });
    acknowledgeNagFindings(this, { data: this.data, functions: this.functions, pipeline: this.pipeline });
  }
}
