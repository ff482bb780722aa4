/**
 * How many records a source holds, estimated from its first bytes (the head Prepare already reads
 * to detect the format): complete records in the head, scaled by the source's size. Exact when
 * the head is the whole source. For refusing corpora beyond the pipeline's limits early, not for
 * anything that must be exact.
 */
import { JsonArrayScanner, type Container, type RecordSpan } from './json-array-scanner.js';

const NEWLINE = 0x0a;

/** Estimated records of a source of `sourceBytes` bytes whose first bytes are `head`. */
export function estimateRecords(head: Uint8Array, sourceBytes: number, container: Container, sourceName: string): number {
  const spans = container === 'jsonl' ? jsonlSpans(head, head.length >= sourceBytes) : arraySpans(head, sourceName);
  const records = spans.filter((span) => span.problem === null);
  if (head.length >= sourceBytes || records.length === 0) return records.length;
  const covered = records[records.length - 1]!.end - records[0]!.start;
  // Bytes per record from the complete ones; the remaining bytes at the same density.
  return Math.ceil((records.length * sourceBytes) / Math.max(1, covered));
}

/** Complete lines of the head (the last one only when the head is the whole source). */
function jsonlSpans(head: Uint8Array, whole: boolean): RecordSpan[] {
  const spans: RecordSpan[] = [];
  let start = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== NEWLINE) continue;
    if (i > start) spans.push({ start, end: i, problem: null });
    start = i + 1;
  }
  if (whole && start < head.length) spans.push({ start, end: head.length, problem: null });
  return spans;
}

/** Complete array elements of the head (the scanner is fed the head only, never finished). */
function arraySpans(head: Uint8Array, sourceName: string): RecordSpan[] {
  const spans: RecordSpan[] = [];
  try {
    new JsonArrayScanner(sourceName, 0).push(head, { span: (span) => spans.push(span) });
  } catch {
    // A head that is not a JSON array is for format detection to report, not the estimate.
  }
  return spans;
}
