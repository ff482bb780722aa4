import type { z } from 'zod';
import { InvalidInputError } from '../errors.js';

/**
 * Turn a zod failure into an InvalidInputError whose field is the first issue's path (prefixed
 * by where the value came from) and whose message lists every issue with its path.
 */
export function invalidInputFromZod(where: string, error: z.ZodError): InvalidInputError {
  const describe = (issue: z.core.$ZodIssue): string => {
    const path = issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where;
    return `${path}: ${issue.message}`;
  };
  const first = error.issues[0];
  const field = first && first.path.length > 0 ? `${where}.${first.path.join('.')}` : where;
  const detail = error.issues.map(describe).join('; ');
  const invalid = new InvalidInputError(field, detail);
  invalid.message = detail;
  return invalid;
}
