import type { AslState, Json } from '../asl.js';
import { StatesError } from '../asl.js';
import type { TemplateEvaluator } from '../evaluate-template.js';
import type { BucketStores } from './read-items.js';
import type { ChildOutcome } from './run-children.js';

/** Names AWS gives a Map Run and its children, made up locally in the same shapes. */
export interface MapRunIdentity {
  readonly mapRunId: string;
  readonly mapRunArn: string;
  readonly stateMachineArn: string;
  readonly executionArn: (index: number) => string;
}

interface ResultWriterField {
  readonly Resource?: string;
  readonly Parameters?: Json;
  readonly WriterConfig?: { readonly OutputType?: 'JSON' | 'JSONL'; readonly Transformation?: 'NONE' | 'COMPACT' | 'FLATTEN' };
}

const STATUSES = ['FAILED', 'PENDING', 'SUCCEEDED'] as const;

/**
 * The Map state's result, as AWS makes it. With a ResultWriter that names a bucket: the children's
 * results grouped by status into `<Prefix>/<map run id>/<STATUS>_0.json`, then `manifest.json`
 * listing them, and the state's result is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}`.
 * Without one (or with only WriterConfig) the results themselves, transformed as configured.
 */
export async function writeMapRunResults(
  state: AslState,
  outcomes: readonly ChildOutcome[],
  input: Json,
  context: { readonly evaluate: TemplateEvaluator; readonly buckets: BucketStores; readonly identity: MapRunIdentity },
): Promise<Json> {
  const writer = state.ResultWriter as ResultWriterField | undefined;
  const transformation = writer?.WriterConfig?.Transformation ?? (writer?.Parameters === undefined ? 'COMPACT' : 'NONE');
  const entries = (status: string) => outcomes.filter((o) => o.status === status).flatMap((o) => formatOutcome(o, transformation, context.identity));
  if (writer?.Parameters === undefined) return outcomes.flatMap((o) => formatOutcome(o, transformation, context.identity));
  const { Bucket, Prefix } = (await context.evaluate.template(writer.Parameters, input)) as { Bucket?: unknown; Prefix?: unknown };
  if (typeof Bucket !== 'string') throw new StatesError('States.ResultWriterFailed', 'ResultWriter Parameters must give a Bucket');
  const folder = [typeof Prefix === 'string' && Prefix !== '' ? Prefix.replace(/\/+$/, '') : undefined, context.identity.mapRunId]
    .filter((p) => p !== undefined)
    .join('/');
  const jsonl = writer.WriterConfig?.OutputType === 'JSONL';
  const store = context.buckets(Bucket);
  const files: Record<string, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  try {
    for (const status of STATUSES) {
      const list = entries(status);
      if (list.length === 0) continue;
      const key = `${folder}/${status}_0.json`;
      const body = jsonl ? list.map((entry) => `${JSON.stringify(entry)}\n`).join('') : JSON.stringify(list);
      await store.put(key, body);
      files[status]!.push({ Key: key, Size: Buffer.byteLength(body, 'utf8') });
    }
    const manifestKey = `${folder}/manifest.json`;
    await store.put(manifestKey, JSON.stringify({ DestinationBucket: Bucket, MapRunArn: context.identity.mapRunArn, ResultFiles: files }));
    return { MapRunArn: context.identity.mapRunArn, ResultWriterDetails: { Bucket, Key: manifestKey } };
  } catch (error) {
    throw new StatesError('States.ResultWriterFailed', `s3://${Bucket}/${folder}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** One child's entry: its output alone (COMPACT, FLATTEN) or with the execution's metadata (NONE, and always for failures). */
function formatOutcome(outcome: ChildOutcome, transformation: string, identity: MapRunIdentity): Json[] {
  if (outcome.status === 'SUCCEEDED' && transformation !== 'NONE') {
    const output = outcome.output ?? null;
    return transformation === 'FLATTEN' && Array.isArray(output) ? output : [output];
  }
  const name = identity.executionArn(outcome.index).split(':').pop()!;
  return [
    {
      ExecutionArn: identity.executionArn(outcome.index),
      Input: JSON.stringify(outcome.input),
      InputDetails: { Included: true },
      Name: name,
      ...(outcome.status === 'SUCCEEDED'
        ? { Output: JSON.stringify(outcome.output ?? null), OutputDetails: { Included: true } }
        : { Error: outcome.error?.Error ?? 'States.Runtime', Cause: outcome.error?.Cause ?? '' }),
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      RedriveStatusReason: `Execution is ${outcome.status} and cannot be redriven`,
      StartDate: outcome.startDate.toISOString(),
      StateMachineArn: identity.stateMachineArn,
      Status: outcome.status,
      StopDate: outcome.stopDate.toISOString(),
    },
  ];
}
