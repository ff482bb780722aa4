import type { z } from 'zod';
import { InvalidInputError } from '../errors.js';

/** Extra advice for an issue (e.g. which keys are accepted), or undefined. */
export type IssueHint = (issue: z.core.$ZodIssue) => string | undefined;

/**
 * Turn a zod failure into an InvalidInputError whose field is the first issue's path (prefixed
 * by where the value came from) and whose message lists every issue with its path and any hint.
 */
export function invalidInputFromZod(where: string, error: z.ZodError, hint?: IssueHint): InvalidInputError {
  const pathOf = (issue: z.core.$ZodIssue): string => (issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where);
  const describe = (issue: z.core.$ZodIssue): string => {
    const advice = hint?.(issue);
    return `${pathOf(issue)}: ${issue.message}${advice ? `; ${advice}` : ''}`;
  };
  const first = error.issues[0];
  const detail = error.issues.map(describe).join('; ');
  const invalid = new InvalidInputError(first ? pathOf(first) : where, detail);
  invalid.message = detail;
  return invalid;
}
