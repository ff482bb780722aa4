/**
 * `npx tsx bench/shard-codec.ts [rows] [microBatchSize]`: one rank's index-only shard (default
 * 10,000 rows — a 10M-sample epoch at W = 1024 — in micro-batches of 4), encoded and decoded by
 * megashard's IPC batch codec and by arrow-js on the same columns, interleaved in one process,
 * medians of 5 runs, decoded columns checked equal. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { RecordBatch, RecordBatchFileWriter, Schema, Struct, makeData, tableFromIPC, type Data } from 'apache-arrow';
import { encodeShardFile, readShardColumns, type ShardRows } from '../lib/arrow/shard-file.js';
import { SHARD_INDEX_FIELDS } from '../lib/arrow/shard-schema.js';

const rows = Number(process.argv[2] ?? 10_000);
const batch = Number(process.argv[3] ?? 4);
const ids = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % 10_000_000);
const shard: ShardRows = {
  sampleIds: ids,
  recordIds: { bytes: new Uint8Array(rows * 8).fill(0x61), offsets: Int32Array.from({ length: rows + 1 }, (_, i) => i * 8) },
  lengths: ids.map((id) => (id % 3 === 0 ? -(id % 4096) : id % 4096)),
  totalTokens: ids.map((id) => id % 4096),
  trainableTokens: ids.map((id) => id % 1024),
  modality: Uint8Array.from(ids, (id) => id % 3),
  isPadding: new Uint8Array(rows),
};
const meta = {
  planFingerprint: 'p',
  indexFingerprint: 'i',
  tokenizerFingerprint: '',
  strategyId: 'balanced@1',
  epoch: 0,
  rank: 0,
  worldSize: 1024,
  microBatchSize: batch,
  gradientAccumulation: 1,
  firstStep: 0,
};

/** The same file through arrow-js's writer: one RecordBatch per micro-batch, zero-copy column windows. */
function encodeWithArrowJs(): Uint8Array {
  const schema = new Schema([...SHARD_INDEX_FIELDS]);
  const writer = new RecordBatchFileWriter();
  writer.reset(undefined, schema);
  for (let start = 0; start < rows; start += batch) {
    const end = Math.min(rows, start + batch);
    const length = end - start;
    const int32 = (values: Int32Array) => makeData({ type: SHARD_INDEX_FIELDS[0]!.type, length, nullCount: 0, data: values.subarray(start, end) });
    const children: Data[] = [
      int32(shard.sampleIds),
      makeData({
        type: SHARD_INDEX_FIELDS[1]!.type,
        length,
        nullCount: 0,
        valueOffsets: shard.recordIds.offsets.subarray(start, end + 1),
        data: shard.recordIds.bytes,
      }),
      int32(shard.lengths),
      int32(shard.totalTokens),
      int32(shard.trainableTokens),
      makeData({ type: SHARD_INDEX_FIELDS[5]!.type, length, nullCount: 0, data: shard.modality.subarray(start, end) }),
      makeData({ type: SHARD_INDEX_FIELDS[6]!.type, length, nullCount: 0, data: new Uint8Array((length + 7) >> 3) }),
    ];
    writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children })));
  }
  return writer.finish().toUint8Array(true);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const timings: Record<string, number[]> = { ours: [], arrowJs: [], scanOurs: [], scanArrowJs: [] };
let ours: Uint8Array = new Uint8Array(0);
for (let run = 0; run < 5; run++) {
  let t = performance.now();
  ours = encodeShardFile(shard, meta);
  timings.ours!.push(performance.now() - t);
  t = performance.now();
  encodeWithArrowJs();
  timings.arrowJs!.push(performance.now() - t);
  t = performance.now();
  const decoded = readShardColumns(ours, 'bench');
  timings.scanOurs!.push(performance.now() - t);
  t = performance.now();
  const table = tableFromIPC(ours);
  const arrowIds = table.getChild('sample_id')!.toArray() as Int32Array;
  timings.scanArrowJs!.push(performance.now() - t);
  if (arrowIds.length !== rows || decoded.sampleIds.some((id, p) => id !== arrowIds[p])) throw new Error('decoders disagree');
}
const ms = Object.fromEntries(Object.entries(timings).map(([name, values]) => [name, Number(median(values).toFixed(2))]));
process.stdout.write(
  `${JSON.stringify({
    rows,
    microBatchSize: batch,
    batches: Math.ceil(rows / batch),
    bytes: ours.length,
    medianMs: ms,
    encodeSpeedup: Number((ms.arrowJs! / ms.ours!).toFixed(1)),
    decodeSpeedup: Number((ms.scanArrowJs! / ms.scanOurs!).toFixed(1)),
    usPerRowDecode: Number(((1000 * ms.scanOurs!) / rows).toFixed(3)),
  })}\n`,
);
