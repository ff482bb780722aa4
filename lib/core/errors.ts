/**
 * Typed errors. Each has a stable `name`: Step Functions matches Retry/Catch on the error name a
 * Lambda throws, and the CLI prints `name: message`. Never rename one; add a new class instead.
 */

/** Base class: every error megashard throws on purpose carries a stable name and optional data. */
export abstract class MegashardError extends Error {
  abstract override readonly name: string;
  /** Whether retrying the same call may succeed (Step Functions retries only these). */
  readonly transient: boolean = false;
}

/** A user-supplied value (config field, CLI flag, index column) is invalid. Not retryable. */
export class InvalidInputError extends MegashardError {
  override readonly name = 'InvalidInput';
  constructor(
    /** Dotted path of the offending field, e.g. `spec.worldSize` or `lengths[17]`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A strategy id that no registered strategy answers to. */
export class UnknownStrategyError extends MegashardError {
  override readonly name = 'UnknownStrategy';
  constructor(
    readonly strategy: string,
    readonly known: readonly string[],
  ) {
    super(`strategy "${strategy}" is unknown; use one of: ${known.join(', ')}`);
  }
}

/** A stored artifact (Arrow file, manifest) does not have the shape or version we expect. */
export class CorruptArtifactError extends MegashardError {
  override readonly name = 'CorruptArtifact';
  constructor(
    readonly artifact: string,
    message: string,
  ) {
    super(`${artifact}: ${message}`);
  }
}

/** An object (file, S3 key) that should exist does not. */
export class ObjectNotFoundError extends MegashardError {
  override readonly name = 'ObjectNotFound';
  constructor(
    readonly location: string,
    /** `folder`: a folder has that name (a filesystem store); there is still no object to read. */
    readonly kind: 'missing' | 'folder' = 'missing',
  ) {
    super(`${location}: ${kind === 'folder' ? 'is a folder, not a file' : 'not found'}`);
  }
}

/**
 * The store refused an operation (permission denied, disk full, throttled). `transient` says
 * whether retrying may help; Step Functions retries `StorageTransient`, never `StorageFailed`.
 */
export class StorageError extends MegashardError {
  override readonly name: 'StorageFailed' | 'StorageTransient';
  override readonly transient: boolean;
  constructor(
    readonly location: string,
    message: string,
    transient = false,
  ) {
    super(`${location}: ${message}`);
    this.transient = transient;
    this.name = transient ? 'StorageTransient' : 'StorageFailed';
  }
}

/**
 * An error raised in another thread or process (a worker, a Lambda) and carried back by name and
 * message, so callers, exit codes and Step Functions Retry/Catch treat it as the original.
 */
export class RemoteTaskError extends MegashardError {
  override readonly name: string;
  override readonly transient: boolean;
  constructor(name: string, message: string, transient = false) {
    super(message);
    this.name = name;
    this.transient = transient;
  }
}

/**
 * An exception no use-case raised on purpose (a bug, or a library's raw error), caught at a task's
 * boundary and named there: which task, and what it was, so no raw message or stack trace is all a
 * user sees. Not retried: running the same code again fails the same way.
 */
export class UnexpectedError extends MegashardError {
  override readonly name = 'UnexpectedError';
  constructor(where: string, cause: unknown) {
    const inner = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`${where}: unexpected ${inner} (a bug: please report it with this message)`);
  }
}

/**
 * Step Functions already has an execution of this name (names are unique per state machine for 90
 * days). Starters that name executions by the upload (lib/core/pipeline/execution-name.ts) treat
 * it as success: the upload's run was already started.
 */
export class ExecutionAlreadyExistsError extends MegashardError {
  override readonly name = 'ExecutionAlreadyExists';
  constructor(readonly executionArn: string) {
    super(`${executionArn}: an execution of this name already exists (it was started before; nothing new is started)`);
  }
}

/** A cloud service refused a call for lack of permission; the message names the action and resource. */
export class AccessDeniedError extends MegashardError {
  override readonly name = 'AccessDenied';
  constructor(
    readonly action: string,
    readonly resource: string,
    message: string,
  ) {
    super(`${action} on ${resource}: ${message}`);
  }
}

/** No AWS credentials were found; the message lists every place that was looked at. */
export class MissingCredentialsError extends MegashardError {
  override readonly name = 'MissingCredentials';
  constructor(readonly lookedAt: readonly string[]) {
    super(
      `no AWS credentials found; looked at: ${lookedAt.join('; ')}. Set AWS_PROFILE (after \`aws configure\` or \`aws sso login\`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  }
}

/**
 * A cloud service call failed for a reason other than storage: `transient` (throttled, 5xx) after
 * the retries ran out, or a refusal to fix. Like StorageError, only the transient name is retried.
 */
export class ServiceError extends MegashardError {
  override readonly name: 'ServiceFailed' | 'ServiceTransient';
  override readonly transient: boolean;
  constructor(
    readonly service: string,
    message: string,
    transient = false,
  ) {
    super(`${service}: ${message}`);
    this.transient = transient;
    this.name = transient ? 'ServiceTransient' : 'ServiceFailed';
  }
}

/**
 * Another execution holds the run lock of the same inputs (two uploads of identical content): this
 * one does nothing, and says which execution is writing the run and where its lock is.
 */
export class RunInProgressError extends MegashardError {
  override readonly name = 'RunInProgress';
  constructor(
    readonly runId: string,
    readonly execution: string,
    readonly lockLocation: string,
  ) {
    super(`run ${runId} is being written by execution ${execution}; nothing to do (if that execution is gone, delete ${lockLocation} and run again)`);
  }
}

/**
 * MergeIndex found too many records rejected: every record (nothing left to plan), or more than the
 * dataset's `maxRejectedFraction`. The message gives the counts, the top reasons and where the
 * rejects files are; the fix is in the data, or a larger budget.
 */
export class TooManyRejectsError extends MegashardError {
  override readonly name = 'TooManyRejects';
  constructor(
    /** Where the rejects are: the run's `rejects/` folder. */
    readonly rejectsLocation: string,
    readonly rejected: number,
    readonly records: number,
    message: string,
  ) {
    super(message);
  }
}
