import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { BUCKET_ENV, dataBucketName } from '../../lambdas/env.js';
import {
  completeRunEventSchema,
  parseEvent,
  prepareEventSchema,
  runRefSchema,
  tokenizeEventSchema,
  routeEventSchema,
  sectionEventSchema,
} from '../../lambdas/events.js';

const task = {
  sourceIndex: 0,
  source: 'data/train.jsonl',
  chunkIndex: 0,
  byteStart: 0,
  byteEnd: 100,
  endOfSource: true,
  format: { container: 'jsonl', shape: 'llava' },
};
const runRef = { datasetPrefix: 'datasets/demo', runPrefix: 'runs/0123456789abcdef01234567' };

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
    expect(parseEvent(prepareEventSchema, { datasetKey: 'datasets/demo/dataset.json' }).datasetKey).toBe('datasets/demo/dataset.json');
    expect(parseEvent(runRefSchema, runRef)).toEqual(runRef);
    expect(parseEvent(tokenizeEventSchema, { BatchInput: runRef, Items: [task] }).Items).toHaveLength(1);
  });

  it('names the bad field of a Prepare event', () => {
    expect(invalidField(() => parseEvent(prepareEventSchema, { datasetKey: 'other/dataset.json' }))).toBe('event.datasetKey');
    expect(invalidField(() => parseEvent(prepareEventSchema, { datasetKey: 'datasets/../x/dataset.json' }))).toBe('event.datasetKey');
    expect(invalidField(() => parseEvent(prepareEventSchema, {}))).toBe('event.datasetKey');
    // The run id is computed from the dataset's content, never taken from the event.
    expect(invalidField(() => parseEvent(prepareEventSchema, { datasetKey: 'datasets/demo/dataset.json', runId: 'x' }))).toBe('event');
  });

  it('names the bad field of a run reference', () => {
    expect(invalidField(() => parseEvent(runRefSchema, { ...runRef, runPrefix: 'datasets/demo' }))).toBe('event.runPrefix');
    expect(invalidField(() => parseEvent(runRefSchema, { ...runRef, datasetPrefix: '/abs' }))).toBe('event.datasetPrefix');
    expect(invalidField(() => parseEvent(runRefSchema, null))).toBe('event');
  });

  it('names the bad field of a Tokenize batch, down to the chunk', () => {
    expect(invalidField(() => parseEvent(tokenizeEventSchema, { BatchInput: runRef, Items: [] }))).toBe('event.Items');
    expect(invalidField(() => parseEvent(tokenizeEventSchema, { BatchInput: runRef, Items: [task, { ...task, byteStart: -1 }] }))).toBe(
      'event.Items.1.byteStart',
    );
    expect(invalidField(() => parseEvent(tokenizeEventSchema, { BatchInput: runRef, Items: [{ ...task, byteEnd: 0, byteStart: 5 }] }))).toBe(
      'event.Items.0.byteEnd',
    );
    expect(invalidField(() => parseEvent(tokenizeEventSchema, { BatchInput: { ...runRef, runPrefix: 'x' }, Items: [task] }))).toBe(
      'event.BatchInput.runPrefix',
    );
  });

  it('takes an Assemble / AuditPartial section and names a bad rank range', () => {
    expect(parseEvent(sectionEventSchema, { ...runRef, epoch: 1, ranks: [64, 70], section: 3 })).toEqual({ ...runRef, epoch: 1, ranks: [64, 70], section: 3 });
    expect(invalidField(() => parseEvent(sectionEventSchema, { ...runRef, epoch: 1, ranks: [70, 64], section: 3 }))).toBe('event.ranks');
    expect(invalidField(() => parseEvent(sectionEventSchema, { ...runRef, epoch: -1, ranks: [0, 1], section: 0 }))).toBe('event.epoch');
    expect(invalidField(() => parseEvent(sectionEventSchema, { ...runRef, epoch: 0, ranks: [0, 1] }))).toBe('event.section');
  });

  it('takes a Route item and names a bad field', () => {
    const item = { ...runRef, file: 2, tokensKey: 'tokens/part-0000-000002.arrow', epochs: [0, 1] };
    expect(parseEvent(routeEventSchema, item)).toEqual(item);
    expect(invalidField(() => parseEvent(routeEventSchema, { ...item, epochs: [] }))).toBe('event.epochs');
    expect(invalidField(() => parseEvent(routeEventSchema, { ...item, file: -1 }))).toBe('event.file');
  });

  it('names the bad field of a CompleteRun event', () => {
    const complete = { ...runRef, runId: '0123456789abcdef01234567', outputs: { index: { indexKey: 'runs/0123456789abcdef01234567/index/lengths.arrow' } } };
    expect(parseEvent(completeRunEventSchema, complete).outputs.index).toEqual(complete.outputs.index);
    expect(invalidField(() => parseEvent(completeRunEventSchema, { ...complete, runId: 'exec-1' }))).toBe('event.runId');
    expect(invalidField(() => parseEvent(completeRunEventSchema, { ...complete, outputs: { index: 3 } }))).toBe('event.outputs.index');
  });

  it('reads the bucket name through a typed getter that names a missing variable', () => {
    expect(dataBucketName({ [BUCKET_ENV]: 'my-bucket' })).toBe('my-bucket');
    expect(invalidField(() => dataBucketName({}))).toBe(BUCKET_ENV);
  });
});
