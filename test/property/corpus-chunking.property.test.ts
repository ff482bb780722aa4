import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scanRecords, type Container } from '../../lib/core/corpus/json-array-scanner.js';
import { planChunks } from '../../lib/core/corpus/plan-chunks.js';
import { readChunkRecords, type ChunkRecords } from '../../lib/core/corpus/read-chunk.js';
import type { SourceFormat } from '../../lib/core/corpus/source-format.js';

// ---- Generators: records full of characters that confuse naive scanners -------------------------

/** Strings built from pieces that matter to a JSON scanner, plus arbitrary unicode. */
const trickyString = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', ':', '\n', '\r', '\t', '\u0000', '\u001f', '\u2028', 'é', '😀', '\\"', '"\\', '<image>', '\\u0041'),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  ),
  maxLength: 24,
});

/** LLaVA-like records, valid or not (bad roles, missing image), with nested extra fields. */
const llavaLike = fc.record(
  {
    id: fc.oneof(trickyString, fc.integer({ min: -5, max: 1_000_000 })),
    image: trickyString,
    conversations: fc.array(fc.record({ from: fc.constantFrom('human', 'gpt', 'human', 'gpt', 'robot'), value: trickyString }), { maxLength: 5 }),
    extra: fc.array(fc.oneof(trickyString, fc.array(trickyString, { maxLength: 3 }), fc.dictionary(trickyString, trickyString, { maxKeys: 3 })), {
      maxLength: 3,
    }),
  },
  { requiredKeys: ['conversations'] },
);

/** Text that never spells `<image>`, for records that must be accepted. */
const plainTricky = trickyString.map((text) => text.replaceAll('<image>', '<img>'));

/** Valid LLaVA records: alternating turns, `<image>` in the first human turn iff there is an image. */
const validLlava = fc
  .record({
    id: fc.oneof(plainTricky, fc.nat()),
    image: fc.option(
      plainTricky.map((path) => `${path}.jpg`),
      { nil: undefined },
    ),
    pairs: fc.array(fc.tuple(plainTricky, plainTricky), { minLength: 1, maxLength: 3 }),
  })
  .map(({ id, image, pairs }) => ({
    id,
    ...(image === undefined ? {} : { image }),
    conversations: pairs.flatMap(([question, answer], k) => [
      { from: 'human', value: k === 0 && image !== undefined ? `${question}\n<image>` : question },
      { from: 'gpt', value: answer },
    ]),
  }));

/** Array elements: mostly records (valid or not), sometimes scalars and arrays (each becomes a reject). */
const element = fc.oneof(
  { weight: 4, arbitrary: validLlava },
  { weight: 2, arbitrary: llavaLike },
  {
    weight: 1,
    arbitrary: fc.oneof(
      trickyString,
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(trickyString, { maxLength: 3 }),
    ),
  },
);

// ---- A serializer with random whitespace and random \u escapes (seeded, so shrinking is stable) -----

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WHITESPACE = ['', '', ' ', '\n', '\t', '\r\n', '  \n    '];

function serializeString(text: string, random: () => number): string {
  let out = '"';
  for (const char of text) {
    if (random() < 0.15) {
      for (let k = 0; k < char.length; k++) {
        const hex = char.charCodeAt(k).toString(16).padStart(4, '0');
        out += `\\u${random() < 0.5 ? hex : hex.toUpperCase()}`;
      }
    } else out += JSON.stringify(char).slice(1, -1);
  }
  return `${out}"`;
}

function serialize(value: unknown, random: () => number, newlines: boolean): string {
  const ws = (): string => {
    const pick = WHITESPACE[Math.floor(random() * WHITESPACE.length)]!;
    return newlines ? pick : pick.replace(/[\r\n]/g, ' ');
  };
  if (typeof value === 'string') return serializeString(value, random);
  if (Array.isArray(value)) return `[${ws()}${value.map((v) => serialize(v, random, newlines)).join(`${ws()},${ws()}`)}${ws()}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).map(([k, v]) => `${serializeString(k, random)}${ws()}:${ws()}${serialize(v, random, newlines)}`);
    return `{${ws()}${fields.join(`${ws()},${ws()}`)}${ws()}}`;
  }
  return JSON.stringify(value);
}

type Layout = 'compact' | 'indent' | 'random';

function jsonArrayBytes(values: unknown[], layout: Layout, seed: number): Uint8Array {
  const text =
    layout === 'compact' ? JSON.stringify(values) : layout === 'indent' ? JSON.stringify(values, null, 2) : ` ${serialize(values, lcg(seed), true)}\n`;
  return new TextEncoder().encode(text);
}

function jsonlBytes(values: unknown[], seed: number): Uint8Array {
  const random = lcg(seed);
  const separators = ['\n', '\r\n', '\n\n', '\n  \t\n'];
  let text = '';
  for (const value of values) text += serialize(value, random, false) + separators[Math.floor(random() * separators.length)];
  return new TextEncoder().encode(random() < 0.5 ? text.trimEnd() : text);
}

// ---- Reading a source whole, and chunk by chunk -------------------------------------------------

const formatOf = (container: Container): SourceFormat => ({ container, shape: 'llava' });

function readWhole(bytes: Uint8Array, container: Container): ChunkRecords {
  return readChunkRecords(bytes, { absoluteOffset: 0, sourceName: 'src', format: formatOf(container), endOfSource: true });
}

async function readChunked(bytes: Uint8Array, container: Container, bytesPerChunk: number, windowBytes: number): Promise<ChunkRecords> {
  const chunks = await planChunks({
    container,
    sourceName: 'src',
    sourceSize: bytes.length,
    bytesPerChunk,
    windowBytes,
    readWindow: (a, b) => bytes.slice(a, b),
  });
  expect(chunks[0]?.byteStart ?? 0).toBe(0);
  chunks.forEach((chunk, k) => expect(chunk.byteEnd).toBe(chunks[k + 1]?.byteStart ?? bytes.length));
  const parts = chunks.map((chunk) =>
    readChunkRecords(bytes.slice(chunk.byteStart, chunk.byteEnd), {
      absoluteOffset: chunk.byteStart,
      sourceName: 'src',
      format: formatOf(container),
      endOfSource: chunk.byteEnd === bytes.length,
    }),
  );
  return { records: parts.flatMap((p) => p.records), rejects: parts.flatMap((p) => p.rejects) };
}

const parseSpans = (bytes: Uint8Array, container: Container): unknown[] =>
  scanRecords(bytes, 0, { container, sourceName: 'src', endOfSource: true }).map((span) => {
    expect(span.problem).toBeNull();
    return JSON.parse(new TextDecoder().decode(bytes.subarray(span.start, span.end)));
  });

describe('chunking never changes the records', () => {
  it('JSON array: the scanner finds exactly the elements JSON.parse sees, whatever the layout', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 12 }), fc.constantFrom<Layout>('compact', 'indent', 'random'), fc.integer(), (values, layout, seed) => {
        const bytes = jsonArrayBytes(values, layout, seed);
        expect(parseSpans(bytes, 'json-array')).toEqual(JSON.parse(new TextDecoder().decode(bytes)));
      }),
      { numRuns: 300 },
    );
  });

  it('JSON array: any chunk size and read-window size gives the whole-file records and rejects, in order', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(element, { maxLength: 12 }),
        fc.constantFrom<Layout>('compact', 'indent', 'random'),
        fc.integer(),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 70 }),
        async (values, layout, seed, bytesPerChunk, windowBytes) => {
          const bytes = jsonArrayBytes(values, layout, seed);
          const whole = readWhole(bytes, 'json-array');
          expect(whole.records.length + whole.rejects.length).toBe(values.length);
          accepted += whole.records.length;
          expect(await readChunked(bytes, 'json-array', bytesPerChunk, windowBytes)).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(300); // the generators must produce plenty of valid records too
  });

  it('JSONL: blank lines and CRLF are skipped; any chunk size gives the whole-file records and rejects', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(element, { maxLength: 12 }),
        fc.integer(),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 70 }),
        async (values, seed, bytesPerChunk, windowBytes) => {
          const bytes = jsonlBytes(values, seed);
          expect(parseSpans(bytes, 'jsonl')).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
          const whole = readWhole(bytes, 'jsonl');
          expect(await readChunked(bytes, 'jsonl', bytesPerChunk, windowBytes)).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('corrupted bytes (deleted ranges, stray brackets, quotes, commas) still chunk exactly like the whole file', async () => {
    const edit = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      deleteBytes: fc.integer({ min: 0, max: 6 }),
      insert: fc.constantFrom('', '"', '\\', ',', '{', '}', '[', ']', ',,', '} {', '\xff', 'x'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(element, { minLength: 1, maxLength: 8 }),
        fc.constantFrom<Layout>('compact', 'random'),
        fc.integer(),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom<Container>('json-array', 'jsonl'),
        async (values, layout, seed, edits, bytesPerChunk, container) => {
          let bytes = container === 'jsonl' ? jsonlBytes(values, seed) : jsonArrayBytes(values, layout, seed);
          for (const { at, deleteBytes, insert } of edits) {
            const cut = Math.floor(at * bytes.length);
            const inserted = Uint8Array.from(insert, (c) => c.charCodeAt(0));
            bytes = Uint8Array.from([...bytes.subarray(0, cut), ...inserted, ...bytes.subarray(cut + deleteBytes)]);
          }
          let whole: ChunkRecords | Error;
          try {
            whole = readWhole(bytes, container);
          } catch (error) {
            whole = error as Error;
          }
          if (whole instanceof Error) {
            await expect(readChunked(bytes, container, bytesPerChunk, 13)).rejects.toThrow(whole.message);
          } else {
            expect(await readChunked(bytes, container, bytesPerChunk, 13)).toEqual(whole);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a file cut off anywhere still chunks exactly like the whole (truncated tail = rejects, never a crash)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(llavaLike, { minLength: 1, maxLength: 6 }),
        fc.integer(),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        async (values, seed, keep, bytesPerChunk) => {
          for (const container of ['json-array', 'jsonl'] as const) {
            const full = container === 'jsonl' ? jsonlBytes(values, seed) : jsonArrayBytes(values, 'random', seed);
            const bytes = full.slice(0, Math.max(1, Math.floor(full.length * keep)));
            let whole: ChunkRecords;
            try {
              whole = readWhole(bytes, container);
            } catch (error) {
              // Only a cut inside the leading whitespace leaves nothing that looks like an array.
              expect(container).toBe('json-array');
              expect(String(error)).toMatch(/empty|expected '\['/);
              continue;
            }
            expect(await readChunked(bytes, container, bytesPerChunk, 16)).toEqual(whole);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
