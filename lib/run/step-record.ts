import { STEPS_PREFIX } from '../core/run-layout.js';
import { z } from 'zod';
import { CorruptArtifactError, ObjectNotFoundError } from '../core/errors.js';
import { getIfPresent, joinKey, type ObjectStore } from '../io/object-store.js';
import { RecordingStore } from '../io/recording-store.js';
import { hashObject } from './hash-object.js';

const stepRecordSchema = z
  .object({
    kind: z.literal('megashard-step'),
    formatVersion: z.literal(1),
    step: z.string().min(1),
    result: z.unknown(),
    objects: z.array(z.object({ key: z.string().min(1), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()),
  })
  .strict();

/** How {@link runStepOnce} treats a recorded step. */
export interface RunStepOptions {
  /**
   * Asked only when a step is recorded but its objects are gone or changed: true keeps the
   * recorded result anyway. For intermediates deleted on purpose once what they fed is finished
   * (routed objects after the shards, audit digests after the audit), so a resumed execution
   * takes the record as it stands instead of redoing the work — at no request on a first run.
   */
  readonly keepRecordWhenObjectsGone?: () => Promise<boolean>;
}

/** What {@link runStepOnce} did: the step's result, and whether it came from an earlier run. */
export interface StepOutcome<R> {
  readonly result: R;
  readonly skipped: boolean;
}

/**
 * Run a step of a run at most once: when `steps/<step>.json` exists and every object it lists
 * still has its recorded size and SHA-256, return its recorded result without redoing the work;
 * otherwise run the step (its writes recorded as they happen) and write the record last. A run
 * killed at any point therefore resumes where it stopped, and a damaged output is made again.
 */
export async function runStepOnce<R>(
  run: ObjectStore,
  step: string,
  resultSchema: z.ZodType<R>,
  produce: (out: ObjectStore) => Promise<R>,
  options: RunStepOptions = {},
): Promise<StepOutcome<R>> {
  const recordKey = joinKey(STEPS_PREFIX, `${step}.json`);
  const recorded = await readVerifiedStep(run, recordKey, step, options);
  if (recorded !== undefined) {
    const parsed = resultSchema.safeParse(recorded);
    if (parsed.success) return { result: parsed.data, skipped: true };
  }
  const recording = new RecordingStore(run);
  const result = await produce(recording);
  const record = { kind: 'megashard-step', formatVersion: 1, step, result, objects: recording.writtenObjects() };
  await run.put(recordKey, `${JSON.stringify(record, null, 2)}\n`);
  return { result, skipped: false };
}

/**
 * The result a completed step recorded, without re-verifying its objects (the caller reads them
 * next and fails on damage itself); ObjectNotFound when the step never completed.
 */
export async function readStepResult<R>(run: ObjectStore, step: string, resultSchema: z.ZodType<R>): Promise<R> {
  const recordKey = joinKey(STEPS_PREFIX, `${step}.json`);
  const where = `${run.location}/${recordKey}`;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(await run.get(recordKey)));
  } catch (error) {
    if (error instanceof SyntaxError) throw new CorruptArtifactError(where, `is not valid JSON (${error.message}); rerun the step`);
    throw error;
  }
  const record = stepRecordSchema.safeParse(value);
  const result = record.success && record.data.step === step ? resultSchema.safeParse(record.data.result) : undefined;
  if (result === undefined || !result.success) throw new CorruptArtifactError(where, `is not the record of step ${step}; rerun the step`);
  return result.data;
}

/** The recorded result of a completed, intact step; undefined when the step must be (re)done. */
async function readVerifiedStep(run: ObjectStore, recordKey: string, step: string, options: RunStepOptions): Promise<unknown> {
  const bytes = await getIfPresent(run, recordKey);
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    // Records are written whole, so this is damage from outside: redo the step rather than fail.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  const parsed = stepRecordSchema.safeParse(value);
  if (!parsed.success || parsed.data.step !== step) return undefined;
  for (const object of parsed.data.objects) {
    if (!(await objectIsIntact(run, object))) {
      const keep = options.keepRecordWhenObjectsGone !== undefined && (await options.keepRecordWhenObjectsGone());
      return keep ? parsed.data.result : undefined;
    }
  }
  return parsed.data.result;
}

/** Whether an object a step recorded still has its size and SHA-256 (its size asked once, no exists() first). */
async function objectIsIntact(run: ObjectStore, object: { readonly key: string; readonly bytes: number; readonly sha256: string }): Promise<boolean> {
  let bytes: number;
  try {
    bytes = await run.size(object.key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return false;
    throw error;
  }
  return bytes === object.bytes && (await hashObject(run, object.key, bytes)).sha256 === object.sha256;
}
