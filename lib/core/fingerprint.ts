/**
 * Content fingerprints: outputs are keyed by a hash of what they were made from, so a rerun with
 * the same inputs finds its outputs and any change yields a new key. Anything that cannot be
 * hashed canonically is an error, never a silent fallback.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from './errors.js';
import { MODALITY_CODES, type LengthIndex } from './index/length-index.js';

// Views are hashed as their in-memory bytes; defining fingerprints as little-endian bytes only
// holds on a little-endian machine (every platform Node and Arrow JS run on in practice).
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * SHA-256 (lowercase hex) of the plain concatenation of the parts: strings as UTF-8, views as their
 * exact bytes (little-endian, as stored). Parts are not delimited, so callers make them self-delimiting.
 */
export function sha256Hex(...parts: ReadonlyArray<string | ArrayBufferView>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string') {
      hash.update(part, 'utf8');
    } else {
      if (!LITTLE_ENDIAN) throw new Error('fingerprints are defined over little-endian bytes; this machine is big-endian');
      hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
  }
  return hash.digest('hex');
}

/**
 * JSON with object keys sorted (UTF-16 code unit order), no whitespace and bigint as a decimal
 * string, so equal values always give equal text. Object properties that are undefined are omitted
 * (as JSON.stringify does); undefined in arrays, NaN, ±Infinity, functions, symbols, cycles and
 * non-plain objects (Map, Date, typed arrays…) are rejected rather than silently rewritten.
 */
export function canonicalJson(value: unknown): string {
  return writeCanonical(value, 'value', new Set());
}

function writeCanonical(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidInputError(path, `is ${value}; canonical JSON has no NaN or Infinity`);
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString(10));
    case 'object':
      if (value === null) return 'null';
      return writeContainer(value, path, ancestors);
    default:
      throw new InvalidInputError(path, `is ${typeof value}; canonical JSON holds only strings, numbers, bigints, booleans, null, arrays and plain objects`);
  }
}

function writeContainer(value: object, path: string, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new InvalidInputError(path, 'refers back to itself (a cycle)');
  ancestors.add(value);
  let text: string;
  if (Array.isArray(value)) {
    // Index every slot (not .map, which skips holes) so holes are rejected like undefined.
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) throw new InvalidInputError(`${path}[${i}]`, 'is undefined; arrays in canonical JSON cannot hold undefined (use null)');
      items.push(writeCanonical(item, `${path}[${i}]`, ancestors));
    }
    text = `[${items.join(',')}]`;
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidInputError(path, `is a ${value.constructor?.name ?? 'non-plain object'}; convert it to a plain object or array first`);
    }
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      if (record[key] === undefined) continue;
      members.push(`${JSON.stringify(key)}:${writeCanonical(record[key], `${path}.${key}`, ancestors)}`);
    }
    text = `{${members.join(',')}}`;
  }
  ancestors.delete(value);
  return text;
}

/** Version of the fingerprint recipe below; changing what is hashed or its order means bumping it. */
const LENGTH_INDEX_FINGERPRINT_VERSION = 1;

/**
 * Content address of a length index: SHA-256 over a canonical header (recipe version, row count,
 * source names, modality codes, each column's name, type and byte length) followed by every
 * column's bytes in the header's order. The byte lengths in the header make the stream unambiguous.
 */
export function fingerprintLengthIndex(index: LengthIndex): string {
  const n = index.sampleCount;
  const { recordIds } = index;
  const columns: ReadonlyArray<readonly [string, string, ArrayBufferView]> = [
    ['recordIds.offsets', 'int32', recordIds.offsets.subarray(0, n + 1)],
    ['recordIds.bytes', 'utf8', recordIds.bytes.subarray(0, recordIds.offsets[n] ?? 0)],
    ['sourceIndex', 'int32', index.sourceIndex],
    ['sourceOffsets', 'int64', index.sourceOffsets],
    ['numImages', 'uint16', index.numImages],
    ['textTokens', 'int32', index.textTokens],
    ['imageTokens', 'int32', index.imageTokens],
    ['totalTokens', 'int32', index.totalTokens],
    ['trainableTokens', 'int32', index.trainableTokens],
    ['modality', 'uint8', index.modality],
    ['xtunerLength', 'int32', index.xtunerLength],
    ['llavaLength', 'int32', index.llavaLength],
    ['tokensRow', 'int32', index.tokensRow],
  ];
  const header = canonicalJson({
    kind: 'megashard.length-index.fingerprint',
    version: LENGTH_INDEX_FINGERPRINT_VERSION,
    sampleCount: n,
    sourceNames: index.sourceNames,
    modalityCodes: MODALITY_CODES,
    columns: columns.map(([name, type, view]) => ({ name, type, byteLength: view.byteLength })),
  });
  return sha256Hex(header, ...columns.map(([, , view]) => view));
}
