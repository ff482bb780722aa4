import { MegashardError } from '../core/errors.js';

/** Errors the user fixes by changing the command or its inputs (TooManyRejects: the data, or its reject budget). */
const USER_ERRORS = new Set(['InvalidInput', 'UnknownStrategy', 'ObjectNotFound', 'TooManyRejects']);

/**
 * Print an error for a human and choose the exit code: 2 when the user must change something
 * (bad input, unknown strategy, a path that does not exist), 1 for anything else. Expected errors
 * print `Name: message`; unexpected ones add the stack, because they are our bugs.
 */
export function reportError(error: unknown): number {
  if (error instanceof MegashardError) {
    const hint = error.name === 'ObjectNotFound' ? ' (check the path)' : '';
    process.stderr.write(`megashard: ${error.name}: ${error.message}${hint}\n`);
    return USER_ERRORS.has(error.name) ? 2 : 1;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`megashard: unexpected error: ${detail}\n`);
  return 1;
}
