import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3RVER_CREDENTIALS, S3RVER_REGION, type LocalS3Server } from './local-s3-server.js';
import { S3ObjectStore, s3ClientConfig } from './s3-store.js';

/** One client of a local S3-compatible server: stores over its buckets, and the plainest download. */
export interface LocalS3Client {
  /** An object store at `s3://bucket/prefix` of the server, sharing this client. */
  store(url: string): S3ObjectStore;
  /** One GetObject, its body streamed to a file, nothing else: the baseline `bench pull` measures against. */
  getObjectToFile(bucket: string, key: string, path: string): Promise<void>;
  destroy(): void;
}

/** Connect to a local server (s3rver) with its fixed credentials, path-style. */
export function connectLocalS3(server: LocalS3Server): LocalS3Client {
  const client = new S3Client({
    ...s3ClientConfig({ AWS_ENDPOINT_URL_S3: server.endpoint }),
    endpoint: server.endpoint,
    region: S3RVER_REGION,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    store: (url) => new S3ObjectStore(url, { client }),
    async getObjectToFile(bucket, key, path) {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(response.Body as Readable, createWriteStream(path));
    },
    destroy: () => client.destroy(),
  };
}
