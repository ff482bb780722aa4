import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { canonicalJson, fingerprintLengthIndex, sha256Hex } from '../../lib/core/fingerprint.js';
import type { LengthIndex } from '../../lib/core/index/length-index.js';
import { makeLengthIndexFixture } from '../helpers/length-index-fixture.js';

const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 vector for "abc", as a string or as bytes', () => {
    expect(sha256Hex('abc')).toBe(SHA256_ABC);
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(SHA256_ABC);
    expect(sha256Hex('a', 'b', 'c')).toBe(SHA256_ABC);
  });

  it('hashes a view by its own little-endian bytes, not its whole buffer', () => {
    expect(sha256Hex(new Int32Array([0x636261]))).toBe(sha256Hex(new Uint8Array([0x61, 0x62, 0x63, 0])));
    const wide = new Uint8Array([0x7a, 0x61, 0x62, 0x63, 0x7a]);
    expect(sha256Hex(wide.subarray(1, 4))).toBe(SHA256_ABC);
    expect(sha256Hex(new DataView(wide.buffer, 1, 3))).toBe(SHA256_ABC);
  });
});

describe('canonicalJson', () => {
  it('does not depend on key insertion order, at any depth', () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: 'x' } };
    const b = { a: { x: 'x', y: [1, { p: 2, q: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":"x","y":[1,{"p":2,"q":1}]},"b":1}');
  });

  it('keeps array order and writes no whitespace', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson({ s: 'a b', n: null, t: true })).toBe('{"n":null,"s":"a b","t":true}');
  });

  it('writes bigints as decimal strings, beyond 2^53 exactly', () => {
    expect(canonicalJson({ seed: 18446744073709551615n })).toBe('{"seed":"18446744073709551615"}');
    expect(canonicalJson([-5n])).toBe('["-5"]');
  });

  it('omits undefined properties but rejects undefined and holes in arrays', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson([1, undefined])).toThrow(InvalidInputError);
    expect(() => canonicalJson([1, , 2])).toThrow(/value\[1\]/);
    expect(() => canonicalJson(undefined)).toThrow(InvalidInputError);
  });

  it('rejects NaN and ±Infinity, naming the path', () => {
    expect(() => canonicalJson({ a: [0, NaN] })).toThrow(/value\.a\[1\]: is NaN/);
    expect(() => canonicalJson({ inf: Infinity })).toThrow(InvalidInputError);
    expect(() => canonicalJson(-Infinity)).toThrow(InvalidInputError);
  });

  it('rejects values it cannot write canonically', () => {
    expect(() => canonicalJson({ m: new Map() })).toThrow(/value\.m: is a Map/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(InvalidInputError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(InvalidInputError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/cycle/);
  });

  it('accepts a repeated (non-cyclic) reference', () => {
    const shared = { k: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
  });
});

describe('fingerprintLengthIndex', () => {
  const index = makeLengthIndexFixture(300, 5);
  const fingerprint = fingerprintLengthIndex(index);

  it('is 64 hex digits and the same for the same content in other buffers', () => {
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintLengthIndex(makeLengthIndexFixture(300, 5))).toBe(fingerprint);
    const bytes = new Uint8Array(index.recordIds.bytes.length + 8);
    bytes.set(index.recordIds.bytes, 3);
    const shifted = { bytes: bytes.subarray(3), offsets: index.recordIds.offsets };
    expect(fingerprintLengthIndex({ ...index, recordIds: shifted })).toBe(fingerprint);
  });

  const numericColumns = [
    'sourceIndex',
    'sourceOffsets',
    'numImages',
    'textTokens',
    'imageTokens',
    'totalTokens',
    'trainableTokens',
    'modality',
    'xtunerLength',
    'llavaLength',
  ] as const;

  it.each(numericColumns)('changes when one value of %s changes', (key) => {
    const column = index[key].slice();
    if (column instanceof BigInt64Array) column[123] = column[123]! + 1n;
    else column[123] = column[123]! ^ 1;
    expect(fingerprintLengthIndex({ ...index, [key]: column } as LengthIndex)).not.toBe(fingerprint);
  });

  it('changes when a record id, a source name or the row count changes', () => {
    const bytes = index.recordIds.bytes.slice();
    bytes[0] = bytes[0]! ^ 1;
    expect(fingerprintLengthIndex({ ...index, recordIds: { ...index.recordIds, bytes } })).not.toBe(fingerprint);
    expect(fingerprintLengthIndex({ ...index, sourceNames: ['x', ...index.sourceNames.slice(1)] })).not.toBe(fingerprint);
    expect(fingerprintLengthIndex(makeLengthIndexFixture(299, 5))).not.toBe(fingerprint);
  });

  it('distinguishes moving a byte between record ids (offsets are hashed)', () => {
    const offsets = index.recordIds.offsets.slice();
    const row = offsets.findIndex((o, i) => i > 0 && offsets[i - 1]! < o && o < offsets[i + 1]!);
    offsets[row] = offsets[row]! - 1;
    expect(fingerprintLengthIndex({ ...index, recordIds: { ...index.recordIds, offsets } })).not.toBe(fingerprint);
  });
});
