import { AccessDeniedError, ExecutionAlreadyExistsError, InvalidInputError, MegashardError, MissingCredentialsError, ServiceError } from '../core/errors.js';
import { credentialSourcesLookedAt, isMissingCredentials } from './aws-credentials-hint.js';

/** What a failed call was doing, for the message: the IAM action and the ARN it acted on. */
export interface SfnCallContext {
  readonly action: string;
  readonly resource: string;
}

const SERVICE = 'Step Functions';

/** Error names Step Functions (or the network under it) uses for "slow down" and "try again". */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'Throttling',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const DENIED_NAMES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
]);

/** Whether retrying the same Step Functions call may succeed (throttling, 5xx, a dropped connection). */
export function isTransientSfnError(error: unknown): boolean {
  if (error instanceof MegashardError) return error.transient;
  const status = httpStatus(error);
  const code = (error as { code?: unknown } | null)?.code;
  return (
    TRANSIENT_NAMES.has(errorName(error)) ||
    (typeof code === 'string' && TRANSIENT_CODES.has(code)) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    (error as { $retryable?: unknown } | null)?.$retryable !== undefined
  );
}

/**
 * An SDK error as one of the project's typed errors, each saying what to change: an unknown ARN
 * or region is the caller's input (InvalidInput), a refusal names the IAM action (AccessDenied),
 * no credentials lists where the SDK looked (MissingCredentials). Unknown non-AWS errors pass
 * through: they are bugs.
 */
export function translateSfnError(error: unknown, context: SfnCallContext, env: NodeJS.ProcessEnv = process.env): Error {
  if (error instanceof MegashardError) return error;
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const { action, resource } = context;
  if (isMissingCredentials(error)) return new MissingCredentialsError([...credentialSourcesLookedAt(env), `(the SDK said: ${message})`]);
  if (/region is missing/i.test(message))
    return new InvalidInputError('AWS_REGION', 'is not set; set it to the region of the state machine (the 4th field of its ARN)');
  if (name === 'ExecutionAlreadyExists') return new ExecutionAlreadyExistsError(resource);
  if (name === 'StateMachineDoesNotExist') {
    return new InvalidInputError(
      'stateMachineArn',
      `${resource}: no such state machine (deleted, or in another account or region); check --state-machine or the outputs file's StateMachineArn`,
    );
  }
  if (name === 'ExecutionDoesNotExist')
    return new InvalidInputError('execution', `${resource}: no such execution of this state machine; list them with \`megashard runs --on aws\``);
  if (name === 'ResourceNotFound') return new InvalidInputError('mapRunArn', `${resource}: no such map run`);
  if (name === 'InvalidArn') return new InvalidInputError('arn', `${resource}: ${message}`);
  if (DENIED_NAMES.has(name) || httpStatus(error) === 403) {
    return new AccessDeniedError(action, resource, `${name || 'HTTP 403'}: ${message}; use credentials of the account that owns it, allowed ${action} on it`);
  }
  if (isTransientSfnError(error))
    return new ServiceError(
      SERVICE,
      `${action} on ${resource}: ${name || 'transient failure'}: ${message}; still failing after retries, try again later`,
      true,
    );
  if (httpStatus(error) !== undefined) return new ServiceError(SERVICE, `${action} on ${resource}: ${name}: ${message}`);
  return error instanceof Error ? error : new Error(String(error));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
