import { describe, expect, it } from 'vitest';
import type { Container } from '../../lib/core/corpus/json-array-scanner.js';
import { planChunks } from '../../lib/core/corpus/plan-chunks.js';
import { findDuplicateIds, firstInvalidUtf8, readChunkRecords, type ChunkRecords, type ReadLimits } from '../../lib/core/corpus/read-chunk.js';

const encoder = new TextEncoder();
const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/** A source holding the given record texts, and each record's byte offset. */
function sourceOf(container: Container, records: readonly (string | Uint8Array)[]): { bytes: Uint8Array; offsets: number[] } {
  const open = encoder.encode(container === 'json-array' ? '[\n  ' : '');
  const separator = encoder.encode(container === 'json-array' ? ',\n  ' : '\n');
  const close = encoder.encode(container === 'json-array' ? '\n]\n' : '\n');
  const parts: Uint8Array[] = [open];
  const offsets: number[] = [];
  let at = open.length;
  records.forEach((record, k) => {
    const bytes = typeof record === 'string' ? encoder.encode(record) : record;
    if (k > 0) {
      parts.push(separator);
      at += separator.length;
    }
    offsets.push(at);
    parts.push(bytes);
    at += bytes.length;
  });
  parts.push(close);
  return { bytes: concat(parts), offsets };
}

const read = (bytes: Uint8Array, container: Container, limits?: Partial<ReadLimits>): ChunkRecords =>
  readChunkRecords(bytes, {
    absoluteOffset: 0,
    sourceName: 'llava/mix.json',
    format: { container, shape: 'llava' },
    endOfSource: true,
    ...(limits ? { limits } : {}),
  });

const llava = (id: string, question: string, answer: string) =>
  JSON.stringify({
    id,
    image: `coco/${id}.jpg`,
    conversations: [
      { from: 'human', value: `${question}\n<image>` },
      { from: 'gpt', value: answer },
    ],
  });
const BEFORE = llava('a', 'What is shown?', 'A bus.');
const AFTER = llava('b', 'What colour?', 'Red "and" white \\ {[,]}');

const invalidUtf8 = concat([
  encoder.encode('{"id":"u","conversations":[{"from":"human","value":"caf'),
  Uint8Array.of(0xc3, 0x28),
  encoder.encode('"},{"from":"gpt","value":"x"}]}'),
]);
const hugeString = (() => {
  const head = encoder.encode('{"id":"big","conversations":[{"from":"human","value":"');
  const tail = encoder.encode('"},{"from":"gpt","value":"x"}]}');
  const bytes = new Uint8Array(head.length + 50_000_000 + tail.length).fill(0x61);
  bytes.set(head, 0);
  bytes.set(tail, bytes.length - tail.length);
  return bytes;
})();

const BAD: readonly { name: string; record: string | Uint8Array; recordId: string | null; reason: RegExp; containers?: readonly Container[] }[] = [
  {
    name: 'truncated JSON',
    record: '{"id":"t","conversations":[{"from":"human","value":"cut',
    recordId: null,
    reason: /^truncated JSON \(the record ends before its value is complete\)/,
    containers: ['jsonl'],
  },
  { name: 'invalid JSON', record: '{"id":"j","conversations":[],}', recordId: null, reason: /^invalid JSON: /, containers: ['jsonl', 'json-array'] },
  {
    name: 'wrong types',
    record: '{"id":"w","conversations":[{"from":"human","value":["x"]}]}',
    recordId: 'w',
    reason: /^conversations\[0\]\.value: must be a string, got an array$/,
  },
  { name: 'empty conversations', record: '{"id":"e","conversations":[]}', recordId: 'e', reason: /^conversations: empty conversation/ },
  {
    name: '<image> count not matching',
    record: '{"id":"m","images":["1.jpg","2.jpg"],"conversations":[{"from":"human","value":"<image>"},{"from":"gpt","value":"x"}]}',
    recordId: 'm',
    reason: /^conversations: 1 <image> placeholder\(s\) for 2 image\(s\)/,
  },
  {
    name: 'unknown role',
    record: '{"id":"r","conversations":[{"from":"human","value":"q"},{"from":"robot","value":"x"}]}',
    recordId: 'r',
    reason: /^conversations\[1\]\.from: "robot" is not a role/,
  },
  { name: 'not an object', record: '[1, 2]', recordId: null, reason: /^record is an array, not a JSON object$/ },
  { name: 'invalid UTF-8', record: invalidUtf8, recordId: null, reason: /^invalid UTF-8 at byte \d+ \(0xc3\)$/ },
  {
    name: 'a 50 MB string',
    record: hugeString,
    recordId: null,
    reason: new RegExp(`^record is ${hugeString.length} bytes, over the limit of 16777216 \\(limits\\.maxRecordBytes\\); not decoded$`),
  },
];

describe('readChunkRecords: a bad record lands in rejects, its neighbours are unchanged', () => {
  for (const bad of BAD) {
    for (const container of bad.containers ?? (['json-array', 'jsonl'] as const)) {
      it(`${bad.name} (${container})`, () => {
        const clean = read(sourceOf(container, [BEFORE, AFTER]).bytes, container);
        const { bytes, offsets } = sourceOf(container, [BEFORE, bad.record, AFTER]);
        const result = read(bytes, container);
        expect(result.rejects).toHaveLength(1);
        const [reject] = result.rejects;
        expect(reject).toMatchObject({ source: 'llava/mix.json', byteOffset: offsets[1], recordId: bad.recordId });
        expect(reject!.reason).toMatch(bad.reason);
        expect(reject!.reason.length).toBeLessThan(300);
        expect(result.records.map((r) => r.conversation)).toEqual(clean.records.map((r) => r.conversation));
        expect(result.records.map((r) => r.byteOffset)).toEqual([offsets[0], offsets[2]]);
      });
    }
  }

  it('invalid UTF-8: the reason points at the offending byte of the source', () => {
    const { bytes, offsets } = sourceOf('jsonl', [BEFORE, invalidUtf8]);
    expect(read(bytes, 'jsonl').rejects[0]!.reason).toBe(`invalid UTF-8 at byte ${offsets[1]! + invalidUtf8.indexOf(0xc3)} (0xc3)`);
  });

  it('a JSON array truncated mid-record: earlier records are kept, the tail is one reject', () => {
    const { bytes, offsets } = sourceOf('json-array', [BEFORE, AFTER]);
    const cut = bytes.subarray(0, offsets[1]! + 25); // inside "coco/b.jpg"
    const result = read(cut, 'json-array');
    expect(result.records.map((r) => r.conversation.id)).toEqual(['a']);
    expect(result.rejects).toEqual([
      { source: 'llava/mix.json', byteOffset: offsets[1], recordId: null, reason: 'truncated JSON: the source ends inside a string' },
    ]);
  });

  it('a text field over maxTextChars names the field', () => {
    const long = llava('t', 'q', 'y'.repeat(2_000_000));
    const result = read(sourceOf('jsonl', [long]).bytes, 'jsonl');
    expect(result.rejects[0]).toMatchObject({
      recordId: 't',
      reason: 'conversations[1].value: 2000000 characters, over the limit of 1048576 (limits.maxTextChars)',
    });
  });

  it('whole-file problems throw, naming the file', () => {
    expect(() => read(encoder.encode('[{"id":1}] {"id":2}'), 'json-array')).toThrow(/^llava\/mix\.json: byte 11: '\{' after the array's closing '\]'/);
  });
});

describe('duplicate ids: keep the first, reject later ones, identically for any chunking', () => {
  const records = ['a', 'b', 'a', 'c', 'b', 'a'].map((id, k) => llava(id, `q${k}`, `answer ${k}`));

  it('reports later occurrences with the first offset', () => {
    const { bytes, offsets } = sourceOf('json-array', records);
    const result = read(bytes, 'json-array');
    const ids = result.records.map((r) => ({ id: r.conversation.id, byteOffset: r.byteOffset }));
    expect(findDuplicateIds('llava/mix.json', ids)).toEqual([
      { source: 'llava/mix.json', byteOffset: offsets[2], recordId: 'a', reason: `duplicate id "a" (first at byte ${offsets[0]})` },
      { source: 'llava/mix.json', byteOffset: offsets[4], recordId: 'b', reason: `duplicate id "b" (first at byte ${offsets[1]})` },
      { source: 'llava/mix.json', byteOffset: offsets[5], recordId: 'a', reason: `duplicate id "a" (first at byte ${offsets[0]})` },
    ]);
    expect(
      findDuplicateIds('s', [
        { id: '', byteOffset: 1 },
        { id: '', byteOffset: 2 },
      ]),
    ).toEqual([]);
    expect(() =>
      findDuplicateIds('s', [
        { id: 'x', byteOffset: 9 },
        { id: 'y', byteOffset: 3 },
      ]),
    ).toThrow('s: records must come in byte order; 3 follows 9');
  });

  it('gives the same duplicates when the merge sees the chunks in order', async () => {
    const { bytes } = sourceOf('jsonl', records);
    const whole = read(bytes, 'jsonl').records.map((r) => ({ id: r.conversation.id, byteOffset: r.byteOffset }));
    for (const bytesPerChunk of [1, 50, 200]) {
      const chunks = await planChunks({
        container: 'jsonl',
        sourceName: 's',
        sourceSize: bytes.length,
        bytesPerChunk,
        readWindow: (a, b) => bytes.slice(a, b),
      });
      const ids = chunks.flatMap((c) =>
        readChunkRecords(bytes.slice(c.byteStart, c.byteEnd), {
          absoluteOffset: c.byteStart,
          sourceName: 's',
          format: { container: 'jsonl', shape: 'llava' },
          endOfSource: c.byteEnd === bytes.length,
        }).records.map((r) => ({ id: r.conversation.id, byteOffset: r.byteOffset })),
      );
      expect(findDuplicateIds('s', ids)).toEqual(findDuplicateIds('s', whole));
    }
  });
});

describe('firstInvalidUtf8', () => {
  it('finds overlongs, surrogates, stray continuations and cut sequences', () => {
    expect(firstInvalidUtf8(encoder.encode('ascii é 😀 中'))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0xc0, 0x80))).toBe(1); // overlong
    expect(firstInvalidUtf8(Uint8Array.of(0xed, 0xa0, 0x80))).toBe(0); // UTF-16 surrogate
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0x62, 0x80))).toBe(2); // stray continuation
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0xf0, 0x9f, 0x98))).toBe(1); // cut 4-byte sequence
    expect(firstInvalidUtf8(Uint8Array.of(0xf4, 0x90, 0x80, 0x80))).toBe(0); // > U+10FFFF
  });
});
