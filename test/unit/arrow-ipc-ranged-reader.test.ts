/**
 * The ranged Arrow IPC reader: every record batch equals what apache-arrow's whole-file reader
 * gives, and resuming at batch k never touches the bytes of batches 0 … k-1 (counted through a
 * wrapping store).
 */
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { encodeLengthIndex, encodePlanRankFile } from '../../lib/arrow/index.js';
import { DEFAULT_TAIL_READ_BYTES, openRangedArrowFile } from '../../lib/arrow/ipc-ranged-reader.js';
import { CorruptArtifactError } from '../../lib/core/errors.js';
import { offsetsFromCounts, type EpochPlan } from '../../lib/core/plan/epoch-plan.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { CountingStore } from '../helpers/counting-store.js';
import { makeLengthIndexFixture } from '../helpers/length-index-fixture.js';

const ROWS = 20_000;
const ROWS_PER_BATCH = 400; // 50 record batches
const index = makeLengthIndexFixture(ROWS, 7);
/** A length index: many batches and a dictionary column (`source`), the hard case for ranged reads. */
const fileBytes = encodeLengthIndex(index, { maxRowsPerBatch: ROWS_PER_BATCH });
const wholeFile = tableFromIPC(fileBytes);

async function storeWith(bytes: Uint8Array, key = 'lengths.arrow'): Promise<CountingStore> {
  const memory = new MemoryObjectStore('memory://ranged/');
  await memory.put(key, bytes);
  return new CountingStore(memory);
}

/** Every column of a batch as plain arrays (dictionary columns as their strings), for equality. */
function columnsOf(batch: RecordBatch): Record<string, unknown[]> {
  return Object.fromEntries(batch.schema.fields.map((field) => [field.name, [...batch.getChild(field.name)!]]));
}

describe('openRangedArrowFile', () => {
  it('reads the schema, its metadata and one block per record batch from the footer', async () => {
    const store = await storeWith(fileBytes);
    const file = await openRangedArrowFile(store, 'lengths.arrow');
    expect(file.numRecordBatches).toBe(ROWS / ROWS_PER_BATCH);
    expect(file.blocks).toHaveLength(file.numRecordBatches);
    expect(file.bytes).toBe(fileBytes.length);
    expect(file.schema.fields.map((f) => f.name)).toEqual(wholeFile.schema.fields.map((f) => f.name));
    expect(Object.fromEntries(file.schema.metadata)).toEqual(Object.fromEntries(wholeFile.schema.metadata));
    // Opening costs the tail read (the footer, and whatever else its fixed size covers) and the
    // dictionary batch, which lies before the first record batch.
    const firstBatchOffset = file.blocks[0]!.offset;
    const tailStart = fileBytes.length - DEFAULT_TAIL_READ_BYTES;
    expect(store.reads.every((read) => read.end <= firstBatchOffset || read.start >= tailStart)).toBe(true);
    expect(store.reads).toHaveLength(2);
  });

  it('decodes every record batch exactly as the whole-file reader does, dictionary column included', async () => {
    const file = await openRangedArrowFile(await storeWith(fileBytes), 'lengths.arrow');
    for (const k of [0, 1, 17, 49]) {
      expect(columnsOf(await file.readRecordBatch(k))).toEqual(columnsOf(wholeFile.batches[k]!));
    }
  });

  it('resuming at batch k reads none of the bytes of batches 0 … k-1, and fewer bytes than they hold', async () => {
    const store = await storeWith(fileBytes);
    const file = await openRangedArrowFile(store, 'lengths.arrow', { tailReadBytes: 4096 });
    const k = 40;
    const earlierStart = file.blocks[0]!.offset;
    const earlierEnd = file.blocks[k]!.offset;
    const tail: unknown[] = [];
    for await (const batch of file.readRecordBatches(k)) tail.push(columnsOf(batch));
    expect(tail).toEqual(wholeFile.batches.slice(k).map(columnsOf));
    expect(store.reads.some((read) => read.start < earlierEnd && read.end > earlierStart)).toBe(false);
    expect(store.bytesRead).toBeLessThan(earlierEnd - earlierStart);
    expect(store.reads.some((read) => read.whole)).toBe(false);
  });

  it('reads consecutive batches together within the read budget, one request per run', async () => {
    const store = await storeWith(fileBytes);
    const file = await openRangedArrowFile(store, 'lengths.arrow');
    const blockBytes = file.blocks[0]!.metaDataLength + file.blocks[0]!.bodyLength;
    store.reset();
    let count = 0;
    for await (const batch of file.readRecordBatches(10, 30, blockBytes * 5)) {
      expect(columnsOf(batch)).toEqual(columnsOf(wholeFile.batches[10 + count]!));
      count += 1;
    }
    expect(count).toBe(20);
    // Batches of equal rows have nearly equal sizes: 4–5 per read, so 4–5 reads for 20 batches.
    expect(store.reads.length).toBeGreaterThanOrEqual(4);
    expect(store.reads.length).toBeLessThanOrEqual(5);
    // A budget below one block still reads each batch (whole), one per request.
    store.reset();
    let single = 0;
    for await (const _ of file.readRecordBatches(0, 3, 1)) single += 1;
    expect([single, store.reads.length]).toEqual([3, 3]);
  });

  it('reads a footer longer than the tail read with one more request', async () => {
    const store = await storeWith(fileBytes);
    const file = await openRangedArrowFile(store, 'lengths.arrow', { tailReadBytes: 16, bytes: fileBytes.length });
    expect(file.numRecordBatches).toBe(50);
    expect(columnsOf(await file.readRecordBatch(3))).toEqual(columnsOf(wholeFile.batches[3]!));
  });

  it('reads a single-batch file with no dictionaries (a plan rank file)', async () => {
    const plan: EpochPlan = {
      strategyId: 'balanced@1',
      epoch: 0,
      worldSize: 1,
      microBatchSize: 2,
      sampleIds: Int32Array.from([2, 0, 1]),
      rankStarts: offsetsFromCounts([3]),
      isPadding: new Uint8Array(3),
      droppedIds: new Int32Array(0),
    };
    const bytes = encodePlanRankFile(plan, 0, Int32Array.from([5, -6, 7]), {
      planFingerprint: 'f'.repeat(64),
      strategyId: 'balanced@1',
      epoch: 0,
      worldSize: 1,
      microBatchSize: 2,
      gradientAccumulation: 1,
    });
    const file = await openRangedArrowFile(await storeWith(bytes, 'rank.arrow'), 'rank.arrow');
    expect(file.numRecordBatches).toBe(1);
    expect(columnsOf(await file.readRecordBatch(0))).toEqual(columnsOf(tableFromIPC(bytes).batches[0]!));
  });

  it('refuses truncated, foreign and lying files with CorruptArtifactError naming the file', async () => {
    const cases: Array<[string, Uint8Array]> = [
      ['truncated', fileBytes.subarray(0, fileBytes.length - 100)],
      ['not arrow', new TextEncoder().encode('{"this is": "json, not an Arrow IPC file at all"}')],
      ['tiny', Uint8Array.of(1, 2, 3)],
    ];
    // A footer length larger than the file.
    const lying = fileBytes.slice();
    new DataView(lying.buffer).setInt32(lying.length - 10, lying.length, true);
    cases.push(['lying footer length', lying]);
    for (const [name, bytes] of cases) {
      const store = await storeWith(bytes, `${name}.arrow`);
      await expect(openRangedArrowFile(store, `${name}.arrow`), name).rejects.toThrow(CorruptArtifactError);
      await expect(openRangedArrowFile(store, `${name}.arrow`), name).rejects.toThrow(`memory://ranged//${name}.arrow`);
    }
  });

  it('refuses a file shorter than its footer says when a batch is read', async () => {
    const memory = new MemoryObjectStore('memory://ranged/');
    await memory.put('f.arrow', fileBytes);
    const file = await openRangedArrowFile(memory, 'f.arrow');
    // The object is replaced by a truncated copy after opening: the batch read comes back short.
    await memory.put('f.arrow', fileBytes.subarray(0, file.blocks[5]!.offset + 16));
    await expect(file.readRecordBatch(5)).rejects.toThrow(/record batch|shorter than its footer/);
  });
});
