import type { AslState, Json } from '../asl.js';
import { StatesError } from '../asl.js';
import type { TemplateEvaluator } from '../evaluate-template.js';

/** The largest input of a child execution (the state payload limit), also ItemBatcher's default byte cap. */
const MAX_PAYLOAD_BYTES = 256 * 1024;

interface ItemBatcherField {
  readonly MaxItemsPerBatch?: number;
  readonly MaxItemsPerBatchPath?: string;
  readonly MaxInputBytesPerBatch?: number;
  readonly MaxInputBytesPerBatchPath?: string;
  readonly BatchInput?: Json;
}

/** The child executions' inputs, and how many of the Map's items each holds. */
export interface MapChildInputs {
  readonly inputs: Json[];
  readonly itemCounts: number[];
}

/**
 * Group the items as ItemBatcher does: consecutive items, at most MaxItemsPerBatch of them and at
 * most MaxInputBytesPerBatch bytes (256 KiB when unset) per batch, each child getting
 * `{"BatchInput": <evaluated once from the Map's input>, "Items": [...]}`. Without an ItemBatcher
 * every item is its own child's input.
 */
export async function batchMapItems(state: AslState, items: readonly Json[], input: Json, evaluate: TemplateEvaluator): Promise<MapChildInputs> {
  const batcher = state.ItemBatcher as ItemBatcherField | undefined;
  if (batcher === undefined) return { inputs: [...items], itemCounts: items.map(() => 1) };
  const maxItems = await limit(batcher.MaxItemsPerBatch, batcher.MaxItemsPerBatchPath, input, evaluate, Number.POSITIVE_INFINITY);
  const maxBytes = Math.min(
    MAX_PAYLOAD_BYTES,
    await limit(batcher.MaxInputBytesPerBatch, batcher.MaxInputBytesPerBatchPath, input, evaluate, MAX_PAYLOAD_BYTES),
  );
  const batchInput = batcher.BatchInput === undefined ? undefined : await evaluate.template(batcher.BatchInput, input);
  const frame = (batch: Json[]): Json => (batchInput === undefined ? { Items: batch } : { BatchInput: batchInput, Items: batch });
  // Bytes of the batch's JSON: the frame, each item, and the commas between items.
  const frameBytes = utf8Bytes(frame([]));
  const inputs: Json[] = [];
  const itemCounts: number[] = [];
  let current: Json[] = [];
  let currentBytes = frameBytes;
  for (const item of items) {
    const size = utf8Bytes(item);
    const fits = current.length === 0 || (current.length < maxItems && currentBytes + 1 + size <= maxBytes);
    if (!fits) {
      inputs.push(frame(current));
      itemCounts.push(current.length);
      current = [];
      currentBytes = frameBytes;
    }
    if (current.length === 0 && frameBytes + size > maxBytes) {
      throw new StatesError('States.Runtime', `a Map item of ${size} bytes does not fit a batch of at most ${maxBytes} bytes`);
    }
    currentBytes += size + (current.length > 0 ? 1 : 0);
    current.push(item);
  }
  if (current.length > 0) {
    inputs.push(frame(current));
    itemCounts.push(current.length);
  }
  return { inputs, itemCounts };
}

async function limit(value: number | undefined, path: string | undefined, input: Json, evaluate: TemplateEvaluator, otherwise: number): Promise<number> {
  const resolved = path !== undefined ? await evaluate.path(path, input) : value;
  if (resolved === undefined) return otherwise;
  if (typeof resolved !== 'number' || !Number.isInteger(resolved) || resolved < 1)
    throw new StatesError('States.Runtime', `ItemBatcher limit ${JSON.stringify(resolved)} must be an integer ≥ 1`);
  return resolved;
}

function utf8Bytes(value: Json): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
