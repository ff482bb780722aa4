import { z } from 'zod';

const SEGMENT = String.raw`(?!\.\.?(?:/|$))[^/\\]+`;

/**
 * The rule of relativePathProblem as one ECMA-262 regular expression, for the published JSON
 * Schema (a refinement does not translate by itself); a property test keeps the two in agreement.
 */
export const RELATIVE_PATH_PATTERN = String.raw`^(?![A-Za-z][A-Za-z0-9+.\-]*:)${SEGMENT}(?:/${SEGMENT})*$`;

/**
 * A path inside the dataset's prefix: relative, '/'-separated, no `..` or `.` segments, no scheme,
 * no backslashes, no empty segments. A dataset must never make the pipeline read outside its own
 * folder or bucket prefix.
 */
export const relativePathSchema = z
  .string()
  .superRefine((path, ctx) => {
    const problem = relativePathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: `"${path}" ${problem}; give a path relative to the dataset folder, e.g. "data/train.json"` });
  })
  .meta({ pattern: RELATIVE_PATH_PATTERN });

/** Why a path is not a safe relative path, or undefined if it is. */
export function relativePathProblem(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return 'has a scheme (another bucket or host)';
  if (path.startsWith('/')) return 'is absolute';
  if (path.includes('\\')) return 'contains a backslash';
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) return 'climbs out of the dataset with ".."';
  if (segments.some((s) => s === '' || s === '.')) return 'has an empty or "." segment';
  return undefined;
}
