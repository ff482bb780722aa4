/**
 * The upload trigger in the stack: EventBridge → a small Lambda (not the state machine), allowed
 * states:StartExecution on this state machine and nothing else; Prepare may describe this state
 * machine's executions (is a run lock's holder still running?); the outputs the CLI reads.
 * Synthesized without bundling (the assets are not what is checked here).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_RUNTIME } from '../../cdk/pipeline-functions.js';
import { PipelineStack } from '../../cdk/pipeline-stack.js';
import { pipelineOutputsOf, STACK_OUTPUT_IDS } from '../../lib/run/remote/stack-outputs.js';
import { resolveRemoteTarget } from '../../lib/run/remote/remote-target.js';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type PolicyResource = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: Array<{ Ref: string }> } };

let stack: PipelineStack;
let template: Template;
let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

/** Every statement of every IAM policy attached to the role `roleId`. */
function statementsOfRole(roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map((policy) => policy as PolicyResource)
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const actions = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

beforeAll(() => {
  stack = new PipelineStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'MegashardPipeline');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

describe('the upload trigger', () => {
  it('is a Lambda of its own (arm64, the pipeline runtime, traced) told the state machine ARN', () => {
    const fn = resources[logicalId(stack.trigger.function)]!;
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({ Architectures: ['arm64'], Runtime: PIPELINE_RUNTIME.name, TracingConfig: { Mode: 'Active' } });
    expect(fn.Properties.Environment).toEqual({
      Variables: { MEGASHARD_STATE_MACHINE_ARN: { Ref: logicalId(stack.pipeline.stateMachine) }, POWERTOOLS_SERVICE_NAME: 'megashard' },
    });
  });

  it('may start this state machine and do nothing else with Step Functions (least privilege)', () => {
    const role = stack.getLogicalId(stack.trigger.function.role!.node.defaultChild as never);
    const statements = statementsOfRole(role);
    const states = statements.filter((s) => actions(s).some((a) => a.startsWith('states:')));
    expect(states).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: logicalId(stack.pipeline.stateMachine) } }]);
    // Besides that, only X-Ray (tracing); no S3, no other service.
    const others = statements.filter((s) => !states.includes(s)).flatMap(actions);
    expect(others.every((action) => action.startsWith('xray:'))).toBe(true);
  });

  it('is what the S3 upload rule invokes; the state machine is no longer a target of any rule', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Array<{ Properties: { Targets: Array<{ Arn: unknown }> } }>;
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [logicalId(stack.trigger.function), 'Arn'] } })]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack.trigger.function), 'Arn'] },
    });
  });
});

describe('Prepare and the run lock', () => {
  it("may describe this state machine's executions, through a policy the function does not depend on (no cycle)", () => {
    const prepare = stack.functions.of('Prepare');
    const role = stack.getLogicalId(prepare.role!.node.defaultChild as never);
    const policy = resources[stack.getLogicalId(stack.lockHolderCheck.node.defaultChild as never)]! as unknown as PolicyResource & { Type: string };
    expect(policy.Type).toBe('AWS::IAM::Policy');
    expect(policy.Properties.Roles).toEqual([{ Ref: role }]);
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect(statement!.Action).toBe('states:DescribeExecution');
    expect(JSON.stringify(statement!.Resource)).toContain(`{"Ref":"${logicalId(stack.pipeline.stateMachine)}"}`);
    expect(JSON.stringify(statement!.Resource)).toContain(':execution:');
    const dependsOn = (template.toJSON().Resources[logicalId(prepare)] as { DependsOn?: string[] }).DependsOn ?? [];
    expect(dependsOn).not.toContain(stack.getLogicalId(stack.lockHolderCheck.node.defaultChild as never));
  });

  it("passes the execution's name and id to Prepare and ends a run held by another execution as a no-op", () => {
    const definition = JSON.stringify(resources[logicalId(stack.pipeline.stateMachine)]!.Properties.DefinitionString);
    expect(definition).toContain('\\"execution\\":{\\"name.$\\":\\"$$.Execution.Name\\",\\"id.$\\":\\"$$.Execution.Id\\"}');
    expect(definition).toContain('\\"Variable\\":\\"$.inProgressBy\\",\\"IsPresent\\":true,\\"Next\\":\\"RunInProgress\\"');
  });
});

describe('stack outputs', () => {
  it('exports the bucket, the state machine and the prefixes under the ids the CLI reads', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[STACK_OUTPUT_IDS.bucket]!.Value).toEqual({ Ref: logicalId(stack.data.bucket) });
    expect(outputs[STACK_OUTPUT_IDS.stateMachineArn]!.Value).toEqual({ Ref: logicalId(stack.pipeline.stateMachine) });
    expect(outputs[STACK_OUTPUT_IDS.datasetsPrefix]!.Value).toBe('datasets/');
    expect(outputs[STACK_OUTPUT_IDS.runsPrefix]!.Value).toBe('runs/');
    // What `cdk deploy --outputs-file` writes once those resolve: the CLI's target.
    const file = {
      MegashardPipeline: {
        [STACK_OUTPUT_IDS.bucket]: 'megashardpipeline-storagedata-1a2b3c',
        [STACK_OUTPUT_IDS.stateMachineArn]: 'arn:aws:states:eu-west-1:123456789012:stateMachine:PipelineStateMachine1A2B-xyz',
        [STACK_OUTPUT_IDS.datasetsPrefix]: outputs[STACK_OUTPUT_IDS.datasetsPrefix]!.Value,
        [STACK_OUTPUT_IDS.runsPrefix]: outputs[STACK_OUTPUT_IDS.runsPrefix]!.Value,
      },
    };
    expect(resolveRemoteTarget({ outputs: pipelineOutputsOf(file, 'cdk-outputs.json') })).toMatchObject({
      bucket: 'megashardpipeline-storagedata-1a2b3c',
      datasetsPrefix: 'datasets/',
      runsPrefix: 'runs/',
    });
  });
});

describe('cdk-nag', () => {
  it('raises no unacknowledged AwsSolutions finding on the trigger, its role and rule, or the lock-holder policy', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const mine = [stack.trigger.node.path, stack.lockHolderCheck.node.path];
    const located = report.violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
    // Every finding carries its construct's path, so the filter below cannot miss one of ours.
    expect(located.every((finding) => finding.path.startsWith(`${stack.node.path}/`))).toBe(true);
    expect(located.filter((finding) => mine.some((prefix) => finding.path.startsWith(prefix)))).toEqual([]);
  });
});
