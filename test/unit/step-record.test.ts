/**
 * Steps done at most once: a step whose record and outputs are intact is not redone; a damaged or
 * missing output, or a damaged record, makes it run again.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CountingObjectStore, emptyRequestCounts } from '../../lib/io/counting-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { runStepOnce } from '../../lib/run/step-record.js';

const resultSchema = z.object({ rows: z.number() }).strict();

function countingStep() {
  let calls = 0;
  const produce = async (out: ObjectStore) => {
    calls += 1;
    await out.put('part/a.bin', new Uint8Array([1, 2, 3]));
    await out.put('part/b.json', '{"x":1}');
    return { rows: 3 };
  };
  return { produce, calls: () => calls };
}

describe('runStepOnce', () => {
  it('records every object written (size, sha256) last, and skips the step next time', async () => {
    const run = new MemoryObjectStore();
    const step = countingStep();
    expect(await runStepOnce(run, 'tokenize/part-1', resultSchema, step.produce)).toEqual({ result: { rows: 3 }, skipped: false });
    const record = JSON.parse(new TextDecoder().decode(await run.get('steps/tokenize/part-1.json')));
    expect(record).toMatchObject({ kind: 'megashard-step', step: 'tokenize/part-1', result: { rows: 3 } });
    expect(record.objects).toEqual([
      {
        key: 'part/a.bin',
        bytes: 3,
        sha256: createHash('sha256')
          .update(new Uint8Array([1, 2, 3]))
          .digest('hex'),
      },
      { key: 'part/b.json', bytes: 7, sha256: createHash('sha256').update('{"x":1}').digest('hex') },
    ]);
    expect(await runStepOnce(run, 'tokenize/part-1', resultSchema, step.produce)).toEqual({ result: { rows: 3 }, skipped: true });
    expect(step.calls()).toBe(1);
  });

  it.each([
    ['an output changed', (run: MemoryObjectStore) => run.put('part/a.bin', new Uint8Array([9, 9, 9]))],
    ['an output truncated', (run: MemoryObjectStore) => run.put('part/b.json', '{"x"')],
    ['the record damaged', (run: MemoryObjectStore) => run.put('steps/s.json', '{"kind":')],
    [
      'the record of another step',
      async (run: MemoryObjectStore) => run.put('steps/s.json', new TextDecoder().decode(await run.get('steps/s.json')).replace('"step": "s"', '"step": "t"')),
    ],
  ])('redoes the step when %s', async (_case, damage) => {
    const run = new MemoryObjectStore();
    const step = countingStep();
    await runStepOnce(run, 's', resultSchema, step.produce);
    await damage(run);
    expect((await runStepOnce(run, 's', resultSchema, step.produce)).skipped).toBe(false);
    expect(step.calls()).toBe(2);
    expect((await runStepOnce(run, 's', resultSchema, step.produce)).skipped).toBe(true);
  });

  it('asks the store once on a first run: one GET for the record, no HEAD', async () => {
    const counts = emptyRequestCounts();
    const run = new CountingObjectStore(new MemoryObjectStore(), () => counts);
    await runStepOnce(run, 's', resultSchema, countingStep().produce);
    expect(counts).toMatchObject({ get: 1, getRange: 0, head: 0, put: 3 });
  });

  it('keeps the record when its objects were deleted on purpose, and only then', async () => {
    const run = new MemoryObjectStore();
    const step = countingStep();
    await runStepOnce(run, 's', resultSchema, step.produce);
    await run.deleteAll(['part/a.bin']);
    let asked = 0;
    const keepIf = (answer: boolean) => async () => {
      asked += 1;
      return answer;
    };
    expect(await runStepOnce(run, 's', resultSchema, step.produce, { keepRecordWhenObjectsGone: keepIf(true) })).toEqual({
      result: { rows: 3 },
      skipped: true,
    });
    expect([step.calls(), asked]).toEqual([1, 1]);
    expect((await runStepOnce(run, 's', resultSchema, step.produce, { keepRecordWhenObjectsGone: keepIf(false) })).skipped).toBe(false);
    expect([step.calls(), asked]).toEqual([2, 2]);
    // Intact objects never ask.
    expect((await runStepOnce(run, 's', resultSchema, step.produce, { keepRecordWhenObjectsGone: keepIf(false) })).skipped).toBe(true);
    expect(asked).toBe(2);
  });

  it('writes no record when the step fails, so it runs again', async () => {
    const run = new MemoryObjectStore();
    await expect(runStepOnce(run, 's', resultSchema, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await run.exists('steps/s.json')).toBe(false);
  });
});
