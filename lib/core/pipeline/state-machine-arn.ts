/**
 * Step Functions ARNs, parsed and built without a call: an execution's ARN is its state machine's
 * ARN with `execution` and the name, so the CLI finds the execution the trigger started from the
 * name alone.
 */
import { InvalidInputError } from '../errors.js';

/** A parsed `arn:<partition>:states:<region>:<account>:stateMachine:<name>`. */
export interface StateMachineArn {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

/** A parsed `arn:<partition>:states:<region>:<account>:execution:<machine>:<name>`. */
export interface ExecutionArn {
  readonly arn: string;
  readonly stateMachine: StateMachineArn;
  readonly name: string;
}

const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*)';
const REGION = '([a-z]{2}(?:-[a-z]+)+-\\d+)';
const ACCOUNT = '(\\d{12})';
// Names may hold anything but white space, brackets, wildcards and `"#%\^|~`$&,;:/` (AWS's rule).
const NAME = '([^\\s:/<>{}\\[\\]?*"#%\\\\^|~`$&,;]{1,80})';
const MACHINE_ARN = new RegExp(`^arn:${PARTITION}:states:${REGION}:${ACCOUNT}:stateMachine:${NAME}$`);
const EXECUTION_ARN = new RegExp(`^arn:${PARTITION}:states:${REGION}:${ACCOUNT}:execution:${NAME}:${NAME}$`);

/** Parse a state machine ARN; InvalidInput naming `field` and the expected shape otherwise. */
export function parseStateMachineArn(arn: string, field: string): StateMachineArn {
  const match = MACHINE_ARN.exec(arn.trim());
  if (!match) {
    throw new InvalidInputError(
      field,
      `"${arn}" is not a state machine ARN; expected arn:aws:states:<region>:<12-digit account>:stateMachine:<name> (the stack output StateMachineArn)`,
    );
  }
  const [, partition = '', region = '', account = '', name = ''] = match;
  return { arn: match[0], partition, region, account, name };
}

/** Whether a string looks like an execution ARN (rather than an execution name). */
export function isExecutionArn(value: string): boolean {
  return value.startsWith('arn:');
}

/** Parse an execution ARN; InvalidInput naming `field` otherwise. */
export function parseExecutionArn(arn: string, field: string): ExecutionArn {
  const match = EXECUTION_ARN.exec(arn.trim());
  if (!match) {
    throw new InvalidInputError(
      field,
      `"${arn}" is not an execution ARN; expected arn:aws:states:<region>:<account>:execution:<state machine>:<name>, or give the execution name`,
    );
  }
  const [, partition = '', region = '', account = '', machine = '', name = ''] = match;
  const machineArn = `arn:${partition}:states:${region}:${account}:stateMachine:${machine}`;
  return { arn: match[0], stateMachine: { arn: machineArn, partition, region, account, name: machine }, name };
}

/** The ARN of the execution `name` of a state machine. */
export function executionArnOf(machine: StateMachineArn, name: string): string {
  return `arn:${machine.partition}:states:${machine.region}:${machine.account}:execution:${machine.name}:${name}`;
}
