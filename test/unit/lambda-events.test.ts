import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { BUCKET_ENV, dataBucketName } from '../../lambdas/env.js';
import { parseEvent, prepareEventSchema, runRefSchema, tokenizeEventSchema } from '../../lambdas/events.js';

const task = { sourceIndex: 0, source: 'data/train.jsonl', chunkIndex: 0, byteStart: 0, byteEnd: 100, endOfSource: true, format: { container: 'jsonl', shape: 'llava' } };
const runRef = { datasetPrefix: 'datasets/demo', runPrefix: 'runs/exec-1' };

/** The InvalidInput a bad event raises (fails the test when none is thrown). */
function invalidField(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).name).toBe('InvalidInput');
    return (error as InvalidInputError).field;
  }
  throw new Error('expected InvalidInput');
}

describe('lambda events', () => {
  it('accepts well-formed events', () => {
    expect(parseEvent(prepareEventSchema, { datasetKey: 'datasets/demo/dataset.json', runId: 'exec-1' }).runId).toBe('exec-1');
    expect(parseEvent(runRefSchema, runRef)).toEqual(runRef);
    expect(parseEvent(tokenizeEventSchema, { BatchInput: runRef, Items: [task] }).Items).toHaveLength(1);
  });

  it('names the bad field of a Prepare event', () => {
    expect(invalidField(() => parseEvent(prepareEventSchema, { datasetKey: 'other/dataset.json', runId: 'exec-1' }))).toBe('event.datasetKey');
    expect(invalidField(() => parseEvent(prepareEventSchema, { datasetKey: 'datasets/../x/dataset.json', runId: 'exec-1' }))).toBe('event.datasetKey');
    expect(invalidField(() => parseEvent(prepareEventSchema, { datasetKey: 'datasets/demo/dataset.json', runId: 'a/b' }))).toBe('event.runId');
    expect(invalidField(() => parseEvent(prepareEventSchema, { datasetKey: 'datasets/demo/dataset.json' }))).toBe('event.runId');
  });

  it('names the bad field of a run reference', () => {
    expect(invalidField(() => parseEvent(runRefSchema, { ...runRef, runPrefix: 'datasets/demo' }))).toBe('event.runPrefix');
    expect(invalidField(() => parseEvent(runRefSchema, { ...runRef, datasetPrefix: '/abs' }))).toBe('event.datasetPrefix');
    expect(invalidField(() => parseEvent(runRefSchema, null))).toBe('event');
  });

  it('names the bad field of a Tokenize batch, down to the chunk', () => {
    expect(invalidField(() => parseEvent(tokenizeEventSchema, { BatchInput: runRef, Items: [] }))).toBe('event.Items');
    expect(invalidField(() => parseEvent(tokenizeEventSchema, { BatchInput: runRef, Items: [task, { ...task, byteStart: -1 }] }))).toBe('event.Items.1.byteStart');
    expect(invalidField(() => parseEvent(tokenizeEventSchema, { BatchInput: runRef, Items: [{ ...task, byteEnd: 0, byteStart: 5 }] }))).toBe('event.Items.0.byteEnd');
    expect(invalidField(() => parseEvent(tokenizeEventSchema, { BatchInput: { ...runRef, runPrefix: 'x' }, Items: [task] }))).toBe('event.BatchInput.runPrefix');
  });

  it('reads the bucket name through a typed getter that names a missing variable', () => {
    expect(dataBucketName({ [BUCKET_ENV]: 'my-bucket' })).toBe('my-bucket');
    expect(invalidField(() => dataBucketName({}))).toBe(BUCKET_ENV);
  });
});
