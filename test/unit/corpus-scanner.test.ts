import { describe, expect, it } from 'vitest';
import { JsonArrayScanner, scanRecords, type Container, type RecordSpan } from '../../lib/core/corpus/json-array-scanner.js';
import { planChunks } from '../../lib/core/corpus/plan-chunks.js';

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Spans of a whole source, shown as the text they cover. */
function scanText(text: string, container: Container = 'json-array'): (string | [string, string])[] {
  const bytes = bytesOf(text);
  const decode = (s: RecordSpan): string => new TextDecoder().decode(bytes.subarray(s.start, s.end));
  return scanRecords(bytes, 0, { container, sourceName: 'data/x.json', endOfSource: true }).map((s) =>
    s.problem === null ? decode(s) : [decode(s), s.problem],
  );
}

describe('JSON array scanner', () => {
  it('finds each element without being fooled by brackets, commas and escaped quotes inside strings', () => {
    const text = '[{"a":"x\\"}, {\\\\"}, {"b":["]",{"c":"\\\\"}]}, 12.5e-3, "s\\"]", [1,[2]], true, null]';
    expect(scanText(text)).toEqual(['{"a":"x\\"}, {\\\\"}', '{"b":["]",{"c":"\\\\"}]}', '12.5e-3', '"s\\"]"', '[1,[2]]', 'true', 'null']);
  });

  it('accepts pretty-printed arrays, empty arrays and a UTF-8 byte-order mark', () => {
    expect(scanText(JSON.stringify([{ id: 1 }, { id: 2 }], null, 2))).toEqual(['{\n    "id": 1\n  }', '{\n    "id": 2\n  }']);
    expect(scanText(' [ \n ] \n')).toEqual([]);
    expect(scanText('\ufeff[{"id":1}]')).toEqual(['{"id":1}']);
  });

  it('reports structural problems between records as spans, and carries on', () => {
    expect(scanText('[{"a":1},]')).toEqual(['{"a":1}', [']', "trailing ',' before the closing ']'"]]);
    // A missing ',' damages the record after it: one span, that record, naming the fault's offset.
    expect(scanText('[{"a":1} {"b":2}]')).toEqual([
      '{"a":1}',
      ['{"b":2}', "missing ',' at byte 8 before the record at byte 9 (found '{' where ',' or ']' was expected); the record is rejected: add the ','"],
    ]);
    const [, damaged] = scanRecords(bytesOf('[{"a":1}\n  {"b":2}]'), 0, { container: 'json-array', sourceName: 'x', endOfSource: true });
    expect(damaged).toMatchObject({ start: 11, end: 18, faultOffset: 8 });
    // A stray '}' is one fault, not also a missing ',' before the next record.
    expect(scanText('[{"a":1} } {"b":2}]')).toEqual(['{"a":1}', ['}', "'}' where a record was expected"], '{"b":2}']);
    expect(scanText('[{"a":1},,{"b":2}]')).toEqual(['{"a":1}', [',', "',' where a record was expected"], '{"b":2}']);
  });

  it('reports a truncated tail: inside a string, with brackets open, or before the closing bracket', () => {
    expect(scanText('[{"a":1},{"b":"tr')).toEqual(['{"a":1}', ['{"b":"tr', 'truncated JSON: the source ends inside a string']]);
    expect(scanText('[{"a":1},{"b":[1,')).toEqual(['{"a":1}', ['{"b":[1,', 'truncated JSON: the source ends with 2 bracket(s) still open']]);
    expect(scanText('[{"a":1},')).toEqual(['{"a":1}', ['', "truncated JSON: the source ends before the array's closing ']'"]]);
  });

  it('throws a whole-file error naming the source when it is not one JSON array', () => {
    expect(() => scanText('{"id":1}')).toThrow("data/x.json: byte 0: expected '[' to open the JSON array, found '{'");
    expect(() => scanText('[1] [2]')).toThrow("data/x.json: byte 4: '[' after the array's closing ']'; a source holds exactly one JSON array");
    expect(() => scanText('  ')).toThrow('data/x.json: the source is empty; expected a JSON array');
  });

  it('gives the same spans whatever the window size (state carries across windows, escapes included)', () => {
    const text = bytesOf('[{"a":"\\\\\\"\\u005d"}, "x\\\\", 7, {"b":[{}]}]');
    const whole = scanRecords(text, 0, { container: 'json-array', sourceName: 's', endOfSource: true });
    for (let window = 1; window <= text.length; window++) {
      const spans: RecordSpan[] = [];
      const scanner = new JsonArrayScanner('s', 0);
      const sink = { span: (s: RecordSpan) => spans.push(s) };
      for (let at = 0; at < text.length; at += window) scanner.push(text.subarray(at, at + window), sink);
      scanner.finish(sink);
      expect(spans).toEqual(whole);
    }
  });

  it('refuses a chunk that does not end on a record boundary', () => {
    const text = bytesOf('[{"a":1},{"b":2}]');
    expect(() => scanRecords(text.subarray(0, 5), 0, { container: 'json-array', sourceName: 's', endOfSource: false })).toThrow(
      /byte 5 is not a chunk boundary/,
    );
    expect(scanRecords(text.subarray(0, 9), 0, { container: 'json-array', sourceName: 's', endOfSource: false })).toHaveLength(1);
    expect(scanRecords(text.subarray(9), 9, { container: 'json-array', sourceName: 's', endOfSource: true })).toEqual([{ start: 9, end: 16, problem: null }]);
  });
});

describe('JSONL scanner', () => {
  it('takes each non-blank line as a record (CRLF, blank lines, BOM, missing final newline)', () => {
    expect(scanText('\ufeff{"a":1}\r\n\n  \t\r\n{"b":"}\\n{"}\n{"c":3}', 'jsonl')).toEqual(['{"a":1}\r', '{"b":"}\\n{"}', '{"c":3}']);
    expect(scanText('', 'jsonl')).toEqual([]);
  });

  it('refuses a chunk that does not end after a newline', () => {
    expect(() => scanRecords(bytesOf('{"a":1}\n{"b"'), 0, { container: 'jsonl', sourceName: 'd.jsonl', endOfSource: false })).toThrow(
      /d\.jsonl: byte 12 is not a chunk boundary/,
    );
  });
});

describe('planChunks', () => {
  const readerOf = (bytes: Uint8Array) => (start: number, end: number) => bytes.slice(start, end);

  it('cuts JSON arrays only at record starts, never inside strings that look like record boundaries', async () => {
    const records = Array.from({ length: 40 }, (_, k) => ({ id: k, text: '"}, {"id": 99}, ['.repeat(k % 4) }));
    const bytes = bytesOf(JSON.stringify(records));
    const starts = new Set(scanRecords(bytes, 0, { container: 'json-array', sourceName: 's', endOfSource: true }).map((s) => s.start));
    for (const bytesPerChunk of [1, 7, 64, 500, bytes.length]) {
      const chunks = await planChunks({
        container: 'json-array',
        sourceName: 's',
        sourceSize: bytes.length,
        bytesPerChunk,
        readWindow: readerOf(bytes),
        windowBytes: 33,
      });
      expect(chunks[0]!.byteStart).toBe(0);
      expect(chunks.at(-1)!.byteEnd).toBe(bytes.length);
      for (const chunk of chunks.slice(1)) expect(starts.has(chunk.byteStart)).toBe(true);
      if (bytesPerChunk === 1) expect(chunks).toHaveLength(records.length); // each cut at the next record
    }
  });

  it('cuts JSONL after the first newline at or past each target', async () => {
    const bytes = bytesOf('{"a":1}\n{"b":22}\n\n{"c":333}\n');
    const plan = await planChunks({
      container: 'jsonl',
      sourceName: 's',
      sourceSize: bytes.length,
      bytesPerChunk: 8,
      readWindow: readerOf(bytes),
      windowBytes: 3,
    });
    expect(plan).toEqual([
      { index: 0, byteStart: 0, byteEnd: 8 },
      { index: 1, byteStart: 8, byteEnd: 17 }, // 8 + 8 = 16 is the newline ending line 2; a blank line starts at 17
      { index: 2, byteStart: 17, byteEnd: 28 },
    ]);
    expect(await planChunks({ container: 'jsonl', sourceName: 's', sourceSize: 0, bytesPerChunk: 8, readWindow: readerOf(bytes) })).toEqual([]);
  });

  it('fails the plan, naming the file, on whole-file problems and on a short read', async () => {
    const bad = bytesOf('[{"a":1}] trailing');
    await expect(
      planChunks({ container: 'json-array', sourceName: 'in/bad.json', sourceSize: bad.length, bytesPerChunk: 4, readWindow: readerOf(bad) }),
    ).rejects.toThrow(/^in\/bad\.json: byte 10/);
    const good = bytesOf('[{"a":1}]');
    await expect(
      planChunks({ container: 'json-array', sourceName: 'in/x.json', sourceSize: good.length + 5, bytesPerChunk: 4, readWindow: readerOf(good) }),
    ).rejects.toThrow(/returned 9 bytes/);
    await expect(planChunks({ container: 'json-array', sourceName: 'x', sourceSize: 9, bytesPerChunk: 0, readWindow: readerOf(good) })).rejects.toThrow(
      'bytesPerChunk: 0: must be ≥ 1',
    );
  });
});
