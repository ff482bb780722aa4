/** JSON as states pass it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One state of an ASL definition (fields as the Amazon States Language names them). */
export type AslState = { readonly Type: string } & Readonly<Record<string, unknown>>;

/** An ASL state machine definition (or the ItemProcessor of a Map). */
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly [field: string]: unknown;
}

/**
 * An error as a state raises it: Retry and Catch match on `name` (the ASL "Error"), and the
 * message is the ASL "Cause".
 */
export class StatesError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** The error a child execution of the interpreter ended with (it wraps it in ExecutionError). */
export function executionFailure(error: unknown): { readonly name: string; readonly message: string } {
  const inner = error instanceof Error && error.name === 'ExecutionError' && error.cause instanceof Error ? error.cause : error;
  return inner instanceof Error ? { name: inner.name, message: inner.message } : { name: 'Error', message: String(inner) };
}

/**
 * The human part of a Cause: a Lambda error's Cause is the JSON `{"errorType", "errorMessage",
 * "trace"}` the Lambda runtime reports (and the local runner mimics); other Causes are plain text.
 */
export function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the Cause is the message
  }
  return cause;
}
