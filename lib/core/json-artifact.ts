import type { z } from 'zod';
import { CorruptArtifactError } from './errors.js';
import { sha256Hex } from './fingerprint.js';

/**
 * JSON bytes that megashard wrote (a manifest, a step record) read back through their zod schema.
 * Anything else is a CorruptArtifactError at `where` listing each issue's path: these files are
 * ours, so a problem means they were edited or truncated, not that a user typed something wrong.
 */
export function parseJsonArtifact<T>(bytes: Uint8Array, schema: z.ZodType<T>, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new CorruptArtifactError(where, `is not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new CorruptArtifactError(where, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '));
  }
  return parsed.data;
}

/** The bytes must hash to what a manifest recorded when it listed them. */
export function verifySha256(bytes: Uint8Array, expected: string, where: string): void {
  const actual = sha256Hex(bytes);
  if (actual !== expected) throw new CorruptArtifactError(where, `sha256 is ${actual}; the manifest says ${expected} (the file changed after it was written)`);
}
