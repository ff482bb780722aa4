import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RUNS_PREFIX } from '../lib/core/run-layout.js';

/**
 * The pipeline's bucket (datasets in, runs out) and its access-log bucket. Both block public
 * access, encrypt at rest, refuse plain HTTP and keep versions, so an overwritten dataset or plan
 * can be recovered and audited.
 */
export class DataBucket extends Construct {
  /** Datasets under `datasets/`, runs under `runs/`; emits Object Created events to EventBridge. */
  readonly bucket: s3.Bucket;
  /** Server access logs of {@link bucket}. */
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const secure = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // Training data and plans outlive a stack: deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    this.bucket = new s3.Bucket(this, 'Data', {
      ...secure,
      eventBridgeEnabled: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data/',
      // A run's objects, its Map Run results (diagnostics under runs/<id>/map-results/) included,
      // live as long as the run; overwritten versions (a retried step rewrites the same bytes) go.
      lifecycleRules: [{ prefix: RUNS_PREFIX, noncurrentVersionExpiration: Duration.days(7) }],
    });
  }
}
