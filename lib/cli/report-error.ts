import { MegashardError } from '../core/errors.js';

/**
 * Print an error for a human and choose the exit code: 2 for bad input (the user must change
 * something), 1 for anything else. Expected errors print `Name: message`; unexpected ones add
 * the stack, because they are our bugs.
 */
export function reportError(error: unknown): number {
  if (error instanceof MegashardError) {
    process.stderr.write(`megashard: ${error.name}: ${error.message}\n`);
    return error.name === 'InvalidInput' || error.name === 'UnknownStrategy' ? 2 : 1;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`megashard: unexpected error: ${detail}\n`);
  return 1;
}
