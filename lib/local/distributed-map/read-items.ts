import type { ObjectStore } from '../../io/object-store.js';
import type { AslState, Json } from '../asl.js';
import { StatesError } from '../asl.js';
import type { TemplateEvaluator } from '../evaluate-template.js';

/** S3 as the Map's ItemReader and ResultWriter see it: a bucket name → its store. */
export type BucketStores = (bucket: string) => ObjectStore;

interface ItemReaderField {
  readonly Resource?: string;
  readonly ReaderConfig?: { readonly InputType?: string; readonly MaxItems?: number; readonly MaxItemsPath?: string };
  readonly Parameters?: Json;
}

/**
 * The Map's items, as AWS gets them: from the object the ItemReader names (`s3:getObject` of a
 * JSON array or JSON Lines, at most MaxItems), or else from ItemsPath of the input. A reader that
 * cannot read fails as States.ItemReaderFailed, naming the object.
 */
export async function readMapItems(state: AslState, input: Json, evaluate: TemplateEvaluator, buckets: BucketStores): Promise<Json[]> {
  const reader = state.ItemReader as ItemReaderField | undefined;
  if (reader === undefined) {
    const items = await evaluate.path((state.ItemsPath as string | undefined) ?? '$', input);
    if (!Array.isArray(items)) throw new StatesError('States.Runtime', `the Map's ItemsPath did not select an array`);
    return items;
  }
  if (!reader.Resource?.endsWith(':s3:getObject')) {
    throw new StatesError(
      'States.ItemReaderFailed',
      `ItemReader ${reader.Resource ?? '(no Resource)'}: the local runner reads items from one object (s3:getObject)`,
    );
  }
  const { Bucket, Key } = (await evaluate.template(reader.Parameters ?? {}, input)) as { Bucket?: unknown; Key?: unknown };
  if (typeof Bucket !== 'string' || typeof Key !== 'string')
    throw new StatesError('States.ItemReaderFailed', 'ItemReader Parameters must give a Bucket and a Key');
  const where = `s3://${Bucket}/${Key}`;
  let text: string;
  try {
    text = new TextDecoder().decode(await buckets(Bucket).get(Key));
  } catch (error) {
    throw new StatesError('States.ItemReaderFailed', `${where}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  const items = parseItems(text, reader.ReaderConfig?.InputType ?? 'JSON', where);
  const maxItems =
    reader.ReaderConfig?.MaxItemsPath !== undefined ? await evaluate.path(reader.ReaderConfig.MaxItemsPath, input) : reader.ReaderConfig?.MaxItems;
  return typeof maxItems === 'number' && maxItems > 0 ? items.slice(0, maxItems) : items;
}

function parseItems(text: string, inputType: string, where: string): Json[] {
  try {
    if (inputType === 'JSONL')
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Json);
    if (inputType !== 'JSON') throw new StatesError('States.ItemReaderFailed', `${where}: InputType ${inputType} is not read locally (JSON or JSONL)`);
    const value = JSON.parse(text) as Json;
    if (!Array.isArray(value)) throw new StatesError('States.ItemReaderFailed', `${where}: must hold a JSON array`);
    return value;
  } catch (error) {
    if (error instanceof SyntaxError) throw new StatesError('States.ItemReaderFailed', `${where}: not valid ${inputType} (${error.message})`);
    throw error;
  }
}
