import { REJECTS_PREFIX } from '../../core/run-layout.js';
import { z } from 'zod';
import type { RejectLike } from '../../core/audit/rejects-by-reason.js';
import { CorruptArtifactError } from '../../core/errors.js';
import type { ObjectStore } from '../../io/object-store.js';

/** One line of a rejects file (RecordReject); extra fields are tolerated, these two are needed. */
const rejectLineSchema = z.looseObject({ source: z.string(), reason: z.string() });

/**
 * Every reject of a run, from `rejects/*.jsonl` in key order; a run that was not tokenized has
 * none. A line that is not a reject is a CorruptArtifactError naming the file and line.
 */
export async function readRunRejects(run: ObjectStore): Promise<RejectLike[]> {
  const rejects: RejectLike[] = [];
  const decoder = new TextDecoder();
  for (const key of (await run.list(REJECTS_PREFIX)).filter((k) => k.endsWith('.jsonl'))) {
    const lines = decoder.decode(await run.get(key)).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${run.location}/${key}:${i + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new CorruptArtifactError(where, `is not JSON: ${(error as Error).message}`);
      }
      const parsed = rejectLineSchema.safeParse(value);
      if (!parsed.success)
        throw new CorruptArtifactError(where, `is not a reject: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      rejects.push({ source: parsed.data.source, reason: parsed.data.reason });
    });
  }
  return rejects;
}
