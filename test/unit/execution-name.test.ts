/** The execution-naming rule shared by the upload trigger, `run --on aws` and the local watcher. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { EXECUTION_NAME_MAX_LENGTH, executionNameOf, isValidExecutionName, normalizeEtag } from '../../lib/core/pipeline/execution-name.js';
import { executionInputOf, isDatasetUploadKey, uploadOfEvent } from '../../lib/core/pipeline/upload-event.js';

/** An S3 Object Created event as EventBridge delivers it (AWS docs' example, our bucket and key). */
function objectCreated(object: Record<string, unknown>) {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2021-11-12T00:00:00Z',
    region: 'ca-central-1',
    resources: ['arn:aws:s3:::megashard-data'],
    detail: { version: '0', bucket: { name: 'megashard-data' }, object, 'request-id': 'N4N7GDK58NMKJ12R', requester: '123456789012', reason: 'PutObject' },
  };
}

const VERSIONED = {
  key: 'datasets/llava-665k/dataset.json',
  size: 512,
  etag: 'b1946ac92492d2347c6235b4d2611184',
  'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
  sequencer: '00617F08299329D189',
};

describe('executionNameOf', () => {
  it('reads "<dataset folder>-<32 hex digits>", within Step Functions\' rules', () => {
    const name = executionNameOf(uploadOfEvent(objectCreated(VERSIONED)));
    expect(name).toMatch(/^llava-665k-[0-9a-f]{32}$/);
    expect(isValidExecutionName(name)).toBe(true);
  });

  it('gives the same name to the same event delivered twice (EventBridge is at least once)', () => {
    expect(executionNameOf(uploadOfEvent(objectCreated(VERSIONED)))).toBe(executionNameOf(uploadOfEvent(structuredClone(objectCreated(VERSIONED)))));
  });

  it('gives the CLI (HeadObject: version id and a quoted ETag) the name the trigger computes from the event', () => {
    const fromEvent = executionNameOf(uploadOfEvent(objectCreated(VERSIONED)));
    const fromHead = executionNameOf({ bucket: 'megashard-data', key: VERSIONED.key, versionId: VERSIONED['version-id'], etag: `"${VERSIONED.etag}"` });
    expect(fromHead).toBe(fromEvent);
  });

  it('names another version of the same key differently: a re-upload is a new execution', () => {
    const again = executionNameOf(uploadOfEvent(objectCreated({ ...VERSIONED, 'version-id': 'other', sequencer: '00617F0829932900FF' })));
    expect(again).not.toBe(executionNameOf(uploadOfEvent(objectCreated(VERSIONED))));
  });

  it('uses ETag and sequencer on an unversioned bucket (version "null" counts as none)', () => {
    const { 'version-id': _, ...unversioned } = VERSIONED;
    const a = executionNameOf(uploadOfEvent(objectCreated(unversioned)));
    expect(executionNameOf(uploadOfEvent(objectCreated({ ...unversioned, 'version-id': 'null' })))).toBe(a);
    expect(executionNameOf(uploadOfEvent(objectCreated({ ...unversioned, sequencer: '00617F0829932900FF' })))).not.toBe(a);
  });

  it('keeps a long or odd folder name readable and within 80 characters', () => {
    const name = executionNameOf({ bucket: 'b', key: `datasets/${'Ünïcode dataset (v2) '.repeat(10)}/dataset.json`, etag: 'e' });
    expect(name.length).toBeLessThanOrEqual(EXECUTION_NAME_MAX_LENGTH);
    expect(isValidExecutionName(name)).toBe(true);
    expect(name).toMatch(/^n-code-dataset-v2-n-code-dataset-v2-n-code-data-[0-9a-f]{32}$/);
    expect(executionNameOf({ bucket: 'b', key: 'dataset.json', etag: 'e' })).toMatch(/^dataset-[0-9a-f]{32}$/);
  });

  it('refuses an upload with neither version id nor ETag, naming the field', () => {
    expect(() => executionNameOf({ bucket: 'b', key: 'datasets/x/dataset.json' })).toThrow(InvalidInputError);
    expect(() => executionNameOf({ bucket: 'b', key: 'datasets/x/dataset.json' })).toThrow(/upload\.etag: .*neither a version id nor an ETag/);
  });
});

describe('the upload event', () => {
  it('names the bad field of an event that is not an S3 Object Created event', () => {
    expect(() => uploadOfEvent({ ...objectCreated(VERSIONED), 'detail-type': 'Object Deleted' })).toThrow(/event\.detail-type/);
    expect(() => uploadOfEvent({ ...objectCreated({}) })).toThrow(/event\.detail\.object\.key/);
  });

  it('starts runs only for datasets/<name>/dataset.json', () => {
    expect(isDatasetUploadKey('datasets/x/dataset.json')).toBe(true);
    expect(isDatasetUploadKey('datasets/a/b/dataset.json')).toBe(true);
    expect(isDatasetUploadKey('datasets/dataset.json')).toBe(false);
    expect(isDatasetUploadKey('runs/x/dataset.json')).toBe(false);
    expect(isDatasetUploadKey('datasets/x/data.json')).toBe(false);
  });

  it("builds the same execution input from the event and from the CLI's HeadObject, holding only the write's identity", () => {
    const fromEvent = executionInputOf(uploadOfEvent(objectCreated(VERSIONED)));
    const fromHead = executionInputOf({ bucket: 'megashard-data', key: VERSIONED.key, versionId: VERSIONED['version-id'], etag: `"${VERSIONED.etag}"` });
    expect(JSON.stringify(fromHead)).toBe(JSON.stringify(fromEvent));
    expect(fromEvent).toEqual({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'megashard-data' }, object: { key: VERSIONED.key, 'version-id': VERSIONED['version-id'] } },
    });
    // What the state machine reads of it.
    expect(uploadOfEvent(fromEvent).key).toBe(VERSIONED.key);
  });

  it('normalizes ETags as HeadObject and events spell them', () => {
    expect(normalizeEtag('"abc"')).toBe('abc');
    expect(normalizeEtag('W/"abc"')).toBe('abc');
    expect(normalizeEtag('abc-12')).toBe('abc-12');
  });
});
