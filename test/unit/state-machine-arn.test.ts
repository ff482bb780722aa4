/** Step Functions ARNs, parsed and built without a call; the remote target from flags, outputs file or environment. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { executionArnOf, isExecutionArn, parseExecutionArn, parseStateMachineArn } from '../../lib/core/pipeline/state-machine-arn.js';
import { resolveRemoteTarget } from '../../lib/run/remote/remote-target.js';
import { pipelineOutputsOf } from '../../lib/run/remote/stack-outputs.js';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:PipelineStateMachine1A2B3C-xYz';

describe('state machine ARNs', () => {
  it('parses partition, region, account and name, and builds an execution ARN from a name', () => {
    const machine = parseStateMachineArn(ARN, '--state-machine');
    expect(machine).toEqual({ arn: ARN, partition: 'aws', region: 'eu-west-1', account: '123456789012', name: 'PipelineStateMachine1A2B3C-xYz' });
    const execution = executionArnOf(machine, 'llava-0123');
    expect(execution).toBe('arn:aws:states:eu-west-1:123456789012:execution:PipelineStateMachine1A2B3C-xYz:llava-0123');
    expect(parseExecutionArn(execution, 'execution')).toEqual({ arn: execution, stateMachine: machine, name: 'llava-0123' });
    expect(isExecutionArn(execution)).toBe(true);
    expect(isExecutionArn('llava-0123')).toBe(false);
  });

  it('names the flag and the expected shape for anything else', () => {
    for (const bad of [
      '',
      'arn:aws:lambda:eu-west-1:123456789012:function:x',
      'arn:aws:states:eu-west-1:1234:stateMachine:x',
      `${ARN}:extra`,
      'PipelineStateMachine',
    ]) {
      expect(() => parseStateMachineArn(bad, '--state-machine')).toThrow(InvalidInputError);
      expect(() => parseStateMachineArn(bad, '--state-machine')).toThrow(/^--state-machine: .*arn:aws:states:<region>:<12-digit account>:stateMachine:<name>/);
    }
    expect(() => parseExecutionArn(ARN, 'execution')).toThrow(/execution: .*not an execution ARN/);
  });
});

describe('the remote target', () => {
  const outputsFile = { MegashardPipeline: { BucketName: 'megashard-data', StateMachineArn: ARN, DatasetsPrefix: 'datasets/', RunsPrefix: 'runs/' } };

  it('reads the stack outputs `cdk deploy --outputs-file` writes', () => {
    const target = resolveRemoteTarget({ outputs: pipelineOutputsOf(outputsFile, 'cdk-outputs.json') });
    expect(target).toMatchObject({ bucket: 'megashard-data', datasetsPrefix: 'datasets/', runsPrefix: 'runs/' });
    expect(target.stateMachine.arn).toBe(ARN);
  });

  it('lets flags override the file, and falls back on the environment', () => {
    const other = ARN.replace('eu-west-1', 'us-east-1');
    expect(resolveRemoteTarget({ stateMachine: other, outputs: pipelineOutputsOf(outputsFile, 'f') }).stateMachine.region).toBe('us-east-1');
    const fromEnv = resolveRemoteTarget({ env: { MEGASHARD_STATE_MACHINE_ARN: ARN, MEGASHARD_BUCKET: 'env-bucket' } });
    expect(fromEnv.bucket).toBe('env-bucket');
  });

  it('says how to name the pipeline when nothing does', () => {
    expect(() => resolveRemoteTarget({})).toThrow(
      /--state-machine: no state machine given; pass --outputs FILE .*cdk deploy --outputs-file.*MEGASHARD_STATE_MACHINE_ARN/,
    );
    expect(() => resolveRemoteTarget({ stateMachine: ARN })).toThrow(/--bucket: no bucket given/);
    expect(() => resolveRemoteTarget({ stateMachine: ARN, bucket: 'Bad_Bucket' })).toThrow(/bucket "Bad_Bucket"/);
  });

  it('picks the pipeline stack of an outputs file, or names what is wrong with it', () => {
    expect(() => pipelineOutputsOf({ Other: { Url: 'x' } }, 'out.json')).toThrow(/out\.json: holds no stack with a StateMachineArn output \(stacks: Other\)/);
    expect(() => pipelineOutputsOf({ A: outputsFile.MegashardPipeline, B: outputsFile.MegashardPipeline }, 'out.json')).toThrow(
      /several pipeline stacks \(A, B\); pass --stack NAME/,
    );
    expect(pipelineOutputsOf({ A: outputsFile.MegashardPipeline, B: { ...outputsFile.MegashardPipeline, BucketName: 'b-two' } }, 'f', 'B').BucketName).toBe(
      'b-two',
    );
    expect(() => pipelineOutputsOf({ A: { StateMachineArn: ARN } }, 'out.json')).toThrow(/out\.json\.A\.BucketName/);
    expect(() => pipelineOutputsOf([], 'out.json')).toThrow(/out\.json/);
  });
});
