/**
 * The deployed stack's outputs, as `cdk deploy --outputs-file FILE` writes them: one object per
 * stack, output id → value. The CDK stack declares its outputs with these ids, and the CLI reads
 * them back, so a user never copies an ARN out of the console.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import { invalidInputFromZod } from '../../core/spec/zod-issues.js';

/** The stack's CfnOutput ids (also the keys of the outputs file). */
export const STACK_OUTPUT_IDS = {
  bucket: 'BucketName',
  stateMachineArn: 'StateMachineArn',
  datasetsPrefix: 'DatasetsPrefix',
  runsPrefix: 'RunsPrefix',
} as const;

/** What the CLI needs from one stack's outputs. */
export const pipelineOutputsSchema = z.object({
  [STACK_OUTPUT_IDS.bucket]: z.string().min(1),
  [STACK_OUTPUT_IDS.stateMachineArn]: z.string().min(1),
  [STACK_OUTPUT_IDS.datasetsPrefix]: z.string().min(1).optional(),
  [STACK_OUTPUT_IDS.runsPrefix]: z.string().min(1).optional(),
});

/** One stack's outputs (the ids above). */
export type PipelineOutputs = z.infer<typeof pipelineOutputsSchema>;

const outputsFileSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

/**
 * The pipeline stack's outputs from an outputs file: the one stack holding a StateMachineArn
 * output, or the stack named `stackName`. Errors name the file and say which stacks it holds.
 */
export function pipelineOutputsOf(value: unknown, where: string, stackName?: string): PipelineOutputs {
  const file = outputsFileSchema.safeParse(value);
  if (!file.success) throw invalidInputFromZod(where, file.error);
  const stacks = Object.keys(file.data);
  const candidates =
    stackName !== undefined
      ? stacks.filter((name) => name === stackName)
      : stacks.filter((name) => STACK_OUTPUT_IDS.stateMachineArn in (file.data[name] ?? {}));
  if (candidates.length !== 1) {
    const problem =
      candidates.length === 0
        ? `holds no stack${stackName !== undefined ? ` named ${stackName}` : ` with a ${STACK_OUTPUT_IDS.stateMachineArn} output`} (stacks: ${stacks.join(', ') || 'none'})`
        : `holds several pipeline stacks (${candidates.join(', ')}); pass --stack NAME`;
    throw new InvalidInputError(where, `${problem}; write it with \`npx cdk deploy --outputs-file ${where}\``);
  }
  const name = candidates[0] ?? '';
  const outputs = pipelineOutputsSchema.safeParse(file.data[name]);
  if (!outputs.success) throw invalidInputFromZod(`${where}.${name}`, outputs.error);
  return outputs.data;
}
