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
  constructor(readonly location: string) {
    super(`${location}: not found`);
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
