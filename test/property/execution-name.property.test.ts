/** The execution-naming rule's invariants, for arbitrary uploads. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executionNameOf, isValidExecutionName, type UploadedObject } from '../../lib/core/pipeline/execution-name.js';

const text = fc.string({ minLength: 1, maxLength: 120, unit: 'grapheme' });
const uploadArb: fc.Arbitrary<UploadedObject> = fc.oneof(
  fc.record({ bucket: text, key: text, versionId: text }),
  fc.record({ bucket: text, key: text, etag: text }, { requiredKeys: ['bucket', 'key', 'etag'] }),
  fc.record({ bucket: text, key: text, etag: text, sequencer: text }),
);

/** The identity the rule promises to distinguish: the version when there is one, else ETag and sequencer. */
function identity(upload: UploadedObject): string {
  const versioned = upload.versionId !== undefined && upload.versionId !== 'null';
  const etag = upload.etag?.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return JSON.stringify([
    upload.bucket,
    upload.key,
    versioned ? upload.versionId : null,
    versioned ? null : etag,
    versioned ? null : (upload.sequencer ?? null),
  ]);
}

describe('executionNameOf (properties)', () => {
  it('is always 1–80 characters of [0-9A-Za-z_-]', () => {
    fc.assert(
      fc.property(uploadArb, (upload) => {
        expect(isValidExecutionName(executionNameOf(upload))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic: the same upload (a copy of it) always gets the same name', () => {
    fc.assert(
      fc.property(uploadArb, (upload) => {
        expect(executionNameOf({ ...upload })).toBe(executionNameOf(upload));
      }),
      { numRuns: 300 },
    );
  });

  it('gives distinct uploads distinct names (the 128-bit hash part), even when their folder parts agree', () => {
    fc.assert(
      fc.property(fc.uniqueArray(uploadArb, { minLength: 2, maxLength: 40, selector: identity }), (uploads) => {
        const names = uploads.map(executionNameOf);
        expect(new Set(names).size).toBe(uploads.length);
      }),
      { numRuns: 200 },
    );
  });
});
