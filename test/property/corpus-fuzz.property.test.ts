/**
 * Fuzzing corpus bytes (issue 13): random valid records of every accepted format (LLaVA, MMC4,
 * OBELICS, generic; JSON array and JSONL) with random corruptions spliced between them —
 * truncation, wrong types, bad escapes, invalid UTF-8, NUL and control bytes, huge strings, deep
 * nesting, lone surrogates, missing commas, stray bytes, hostile image references and broken
 * images — tokenized in random chunk sizes under every image-token rule and check level.
 *
 * Properties: tokenizing never throws and prints nothing; every injected fault is rejected exactly
 * once (the reject's byte offset lies in the fault's bytes) with the reason of its kind; every
 * valid record's ids, labels and lengths equal those of a clean run of the valid records alone.
 *
 * `FUZZ_RUNS` sets the cases per format (default 20, what `npm test` runs); `npm run fuzz` runs more.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeLengthIndex, decodeTokensFile } from '../../lib/arrow/index.js';
import { resolveDatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { effectiveImageCheck, type ImageCheckLevel } from '../../lib/core/images/image-check.js';
import { utf8At } from '../../lib/core/index/length-index.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { planDatasetChunks } from '../../lib/run/prepare/plan-dataset-chunks.js';
import { datasetImageFacts } from '../../lib/run/tokenize/image-facts-source.js';
import { createChunkTokenizer, tokenizeChunk } from '../../lib/run/tokenize/tokenize-chunk.js';
import { FakeTokenizer } from '../helpers/fake-tokenizer.js';
import { BROKEN_IMAGES, GOOD_IMAGES, isCaught, writeFaultImages } from '../helpers/fault-images.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { buildRecord, injectionArbitrary, type Injection, type Shape } from '../helpers/corpus-injections.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
/** Per case: two tokenize passes of a few chunks; generous for a loaded machine. */
const MS_PER_RUN = 1_500;

type Container = 'json-array' | 'jsonl';
const RULES = { fixed: { kind: 'fixed' }, anyres: { kind: 'anyres' }, dynamic: { kind: 'dynamic' } } as const;
type RuleName = keyof typeof RULES;

let dir: string;
let store: FsObjectStore;
let caseNumber = 0;
beforeAll(async () => {
  dir = await makeTempDir('corpus-fuzz');
  await writeFaultImages(dir);
  await mkdir(join(dir, 'data'));
  store = new FsObjectStore(dir);
});
afterAll(() => removeTempDir(dir));

// ---- Valid records ------------------------------------------------------------------------------

/** Text full of what JSON and tokenizers find awkward, never spelling `<image>` (no '<' at all). */
const text = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', '\n', '\t', 'é', '😀', '\u2028', ' ', 'A', 'z', '.'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }),
    ),
    minLength: 1,
    maxLength: 30,
  })
  .map((s) => s.replaceAll('<', '‹'));

const goodRef = fc.constantFrom(...Object.keys(GOOD_IMAGES));
const validParts = fc.record({ texts: fc.array(text, { minLength: 1, maxLength: 3 }), images: fc.array(goodRef, { maxLength: 2 }) });

// ---- One case: pieces in order, assembled into bytes with each fault's byte range ----------------

interface Piece {
  readonly id: string;
  readonly bytes: Uint8Array;
  /** Undefined for a valid record. */
  readonly injection?: Injection;
}

interface Assembled {
  readonly bytes: Uint8Array;
  /** Per injected piece: its byte range [start, end) and the injection. */
  readonly faults: Array<{ start: number; end: number; injection: Injection; id: string }>;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Join pieces as a JSON array (`,\n` between elements) or JSONL (`\n` or `\r\n`), noting fault ranges. */
function assemble(pieces: readonly Piece[], container: Container, crlf: boolean): Assembled {
  const parts: Uint8Array[] = [];
  const faults: Assembled['faults'] = [];
  let at = 0;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    at += bytes.length;
  };
  let previousEnd = 0;
  let suppressComma = false;
  if (container === 'json-array') push(utf8('[\n'));
  pieces.forEach((piece, k) => {
    const layout = piece.injection?.layout ?? 'element';
    if (k > 0) {
      if (container === 'jsonl') push(utf8(crlf ? '\r\n' : '\n'));
      else if (layout === 'no-comma-before' || suppressComma) push(utf8('\n'));
      else push(utf8(',\n'));
    }
    suppressComma = layout === 'between-elements';
    const start = at;
    push(piece.bytes);
    if (piece.injection) faults.push({ start: layout === 'no-comma-before' ? previousEnd : start, end: at, injection: piece.injection, id: piece.id });
    previousEnd = at;
  });
  const truncatedLast = pieces.at(-1)?.injection?.layout === 'last-truncated';
  if (container === 'json-array' && !truncatedLast) push(utf8('\n]\n'));
  return { bytes: concat(parts), faults };
}

/** Put layout constraints into the generated order: the first piece valid, a truncated array record last, … */
function arrange(valid: Piece[], injected: Piece[], positions: number[], container: Container): Piece[] {
  const pieces = [...valid];
  const last: Piece[] = [];
  injected.forEach((piece, k) => {
    const layout = piece.injection!.layout;
    if (layout === 'last-truncated' && container === 'json-array') {
      if (last.length === 0) last.push(piece);
      return;
    }
    // Never first (JSONL detection reads the first record; a comma needs a record before it).
    pieces.splice(1 + (positions[k]! % pieces.length), 0, piece);
  });
  // A fault between elements needs an element after it (else the comma before it is a trailing
  // ','), and one that is not missing its ',' (the ',' before the stray byte would serve it).
  const betweenOk = (k: number): boolean =>
    pieces[k]!.injection?.layout !== 'between-elements' || (k + 1 < pieces.length && pieces[k + 1]!.injection?.layout !== 'no-comma-before');
  for (let k = pieces.length - 1; k >= 0; k--) if (!betweenOk(k)) pieces.splice(k, 1);
  return [...pieces, ...last];
}

// ---- Tokenizing -------------------------------------------------------------------------------

interface Tokenized {
  readonly samples: Map<string, { ids: number[]; labels: number[]; lengths: number[] }>;
  readonly rejects: Array<{ byteOffset: number; recordId: string | null; reason: string }>;
}

async function tokenizeBytes(
  bytes: Uint8Array,
  container: Container,
  shape: Shape,
  rule: RuleName,
  level: ImageCheckLevel,
  chunkBytes: number,
): Promise<Tokenized> {
  const name = `data/case-${caseNumber++}.${container === 'jsonl' ? 'jsonl' : 'json'}`;
  await writeFile(join(dir, name), bytes);
  const { config } = resolveDatasetConfig({
    name: 'fuzz',
    sources: [{ path: name, format: shape }],
    tokenizer: { npm: 'llama2' },
    template: { name: 'vicuna_v1' },
    imageTokens: RULES[rule],
    imageCheck: level,
    chunkBytes,
    shard: { seed: 1, worldSize: 1, perDeviceBatchSize: 1 },
  });
  const bound = await createChunkTokenizer(config, new FakeTokenizer());
  const images = datasetImageFacts(store, config);
  const out = new MemoryObjectStore();
  const result: Tokenized = { samples: new Map(), rejects: [] };
  for (const task of await planDatasetChunks(store, config)) {
    const summary = await tokenizeChunk(task, { store, config, images }, bound, { store: out, prefix: '' });
    const { samples } = decodeTokensFile(await out.get(summary.keys.tokens));
    const { index } = decodeLengthIndex(await out.get(summary.keys.index));
    for (let s = 0; s < samples.sampleCount; s++) {
      const [from, to] = [samples.tokenOffsets[s]!, samples.tokenOffsets[s + 1]!];
      const lengths = [index.textTokens, index.imageTokens, index.totalTokens, index.trainableTokens, index.xtunerLength, index.llavaLength].map(
        (column) => column[s]!,
      );
      result.samples.set(utf8At(samples.recordIds, s), {
        ids: [...samples.inputIds.subarray(from, to)],
        labels: [...samples.labels.subarray(from, to)],
        lengths,
      });
    }
    const lines = new TextDecoder()
      .decode(await out.get(summary.keys.rejects))
      .split('\n')
      .filter(Boolean);
    result.rejects.push(...lines.map((line) => JSON.parse(line)));
  }
  return result;
}

// ---- The property -----------------------------------------------------------------------------

const FORMATS: ReadonlyArray<readonly [Shape, Container]> = (['llava', 'mmc4', 'obelics', 'generic'] as const).flatMap((shape) =>
  (['json-array', 'jsonl'] as const).map((container) => [shape, container] as const),
);

describe('corpus fuzz: no record can stop a chunk or change another record', () => {
  it.each(FORMATS)(
    '%s records in %s',
    async (shape, container) => {
      const printed: unknown[] = [];
      const kinds = new Set<string>();
      const spies = [
        vi.spyOn(console, 'log').mockImplementation((...args) => void printed.push(args)),
        vi.spyOn(console, 'warn').mockImplementation((...args) => void printed.push(args)),
        vi.spyOn(console, 'error').mockImplementation((...args) => void printed.push(args)),
      ];
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(validParts, { minLength: 1, maxLength: 6 }),
            fc.constantFrom<RuleName>('fixed', 'anyres', 'dynamic'),
            fc.constantFrom<ImageCheckLevel>('exists', 'header', 'decode'),
            fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 ** 31 - 1 })), { minLength: 1, maxLength: 5 }),
            fc.oneof(fc.integer({ min: 32, max: 2048 }), fc.constant(1 << 30)),
            fc.boolean(),
            async (validSpecs, rule, level, injectionSeeds, chunkBytes, crlf) => {
              const effective = effectiveImageCheck(level, resolveRule(rule));
              const caught = BROKEN_IMAGES.filter((image) => isCaught(image, effective));
              const valid = validSpecs.map(
                (spec, k): Piece => ({ id: `v${k}`, bytes: utf8(JSON.stringify(buildRecord(shape, `v${k}`, spec.texts, spec.images))) }),
              );
              const injected = injectionSeeds.map(([, seed], k): Piece => {
                const injection = fc.sample(injectionArbitrary(shape, container, caught), { seed, numRuns: 1 })[0]!;
                return { id: `x${k}`, bytes: injection.bytes(`x${k}`), injection };
              });
              const pieces = arrange(
                valid,
                injected,
                injectionSeeds.map(([position]) => position),
                container,
              );
              for (const piece of pieces) if (piece.injection) kinds.add(piece.injection.kind.split(' ')[0]!);
              const corrupted = assemble(pieces, container, crlf);
              const clean = assemble(valid, container, crlf);
              const got = await tokenizeBytes(corrupted.bytes, container, shape, rule, level, chunkBytes);
              const want = await tokenizeBytes(clean.bytes, container, shape, rule, level, 1 << 30);

              // Every valid record, and only those, with the ids, labels and lengths of the clean run.
              expect(want.rejects).toEqual([]);
              expect(got.samples).toEqual(want.samples);
              // Every fault rejected exactly once, inside its bytes, with its kind's reason.
              for (const fault of corrupted.faults) {
                const mine = got.rejects.filter((r) => r.byteOffset >= fault.start && r.byteOffset < fault.end);
                expect(mine, `${fault.injection.kind} at [${fault.start}, ${fault.end})`).toHaveLength(1);
                expect(mine[0]!.reason, fault.injection.kind).toMatch(fault.injection.reason);
                if (fault.injection.named) expect(mine[0]!.recordId, fault.injection.kind).toBe(fault.id);
              }
              expect(got.rejects).toHaveLength(corrupted.faults.length);
            },
          ),
          { numRuns: RUNS },
        );
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      expect(printed).toEqual([]);
      // The generators must reach many kinds of fault, not a few over and over.
      expect(kinds.size).toBeGreaterThanOrEqual(Math.min(8, RUNS));
    },
    RUNS * MS_PER_RUN + 30_000,
  );
});

function resolveRule(rule: RuleName) {
  return resolveDatasetConfig({
    name: 'r',
    sources: [{ path: 'x.json' }],
    tokenizer: { npm: 'llama2' },
    template: { name: 'vicuna_v1' },
    imageTokens: RULES[rule],
    shard: { seed: 1, worldSize: 1, perDeviceBatchSize: 1 },
  }).config.imageTokens;
}
