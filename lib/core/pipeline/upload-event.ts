/**
 * The S3 "Object Created" event as EventBridge delivers it, and the execution input made from it.
 * Every starter of the pipeline (the trigger Lambda, `run --on aws`, the local runner) passes the
 * same normalized input for the same upload, so a repeated StartExecution with the same name is
 * recognised by Step Functions as the same request.
 */
import { z } from 'zod';
import { invalidInputFromZod } from '../spec/zod-issues.js';
import { DATASETS_PREFIX } from '../run-layout.js';
import { normalizeEtag, type UploadedObject } from './execution-name.js';

/** The file whose upload starts a run. */
export const DATASET_FILE = 'dataset.json';

/** The fields of an S3 Object Created event megashard reads (EventBridge adds many more). */
export const objectCreatedEventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      etag: z.string().min(1).optional(),
      'version-id': z.string().min(1).optional(),
      sequencer: z.string().min(1).optional(),
    }),
  }),
});

/** An S3 Object Created event (the fields megashard reads). */
export type ObjectCreatedEvent = z.infer<typeof objectCreatedEventSchema>;

/** The upload an Object Created event reports; InvalidInput naming the field when it is not one. */
export function uploadOfEvent(event: unknown): UploadedObject {
  const parsed = objectCreatedEventSchema.safeParse(event);
  if (!parsed.success) throw invalidInputFromZod('event', parsed.error);
  const { bucket, object } = parsed.data.detail;
  return {
    bucket: bucket.name,
    key: object.key,
    ...(object['version-id'] !== undefined ? { versionId: object['version-id'] } : {}),
    ...(object.etag !== undefined ? { etag: object.etag } : {}),
    ...(object.sequencer !== undefined ? { sequencer: object.sequencer } : {}),
  };
}

/** Whether a key is a dataset's `dataset.json` under `datasets/` (the only uploads that start runs). */
export function isDatasetUploadKey(key: string): boolean {
  return key.startsWith(DATASETS_PREFIX) && key.endsWith(`/${DATASET_FILE}`) && key.length > DATASETS_PREFIX.length + DATASET_FILE.length + 1;
}

/**
 * The execution input for an upload: an Object Created event holding only what identifies the
 * write (the version id when there is one, else ETag and sequencer), so the trigger and the CLI
 * build the same bytes for the same upload. The state machine reads `$.detail.object.key`.
 */
export function executionInputOf(upload: UploadedObject): ObjectCreatedEvent {
  const { versionId, etag, sequencer } = upload;
  const write =
    versionId !== undefined && versionId !== 'null'
      ? { 'version-id': versionId }
      : { ...(etag !== undefined ? { etag: normalizeEtag(etag) } : {}), ...(sequencer !== undefined ? { sequencer } : {}) };
  return { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: upload.bucket }, object: { key: upload.key, ...write } } };
}
