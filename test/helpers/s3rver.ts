/**
 * A real S3-compatible HTTP server (s3rver) on 127.0.0.1 for integration tests, offline: the
 * server process comes from lib/io/local-s3-server.ts (the benchmarks use it too); this adds a
 * client with the production settings and stores on it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3RVER_CREDENTIALS, S3RVER_REGION, startLocalS3Server } from '../../lib/io/local-s3-server.js';
import { S3ObjectStore, s3ClientConfig } from '../../lib/io/s3-store.js';

export { S3RVER_CREDENTIALS } from '../../lib/io/local-s3-server.js';

/** A running s3rver and how to talk to it. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` (an IP, not `localhost`, which the SDK would address as `<bucket>.localhost`). */
  readonly endpoint: string;
  /** A client with the production settings (s3ClientConfig) pointed at this server. */
  readonly client: S3Client;
  /** The AWS variables that point a production-style client (built from the environment) here. */
  readonly env: Readonly<Record<string, string>>;
  /** An S3ObjectStore on `s3://bucket/prefix` of this server. */
  store(url: string): S3ObjectStore;
  /** Stop the server and delete its files. */
  stop(): Promise<void>;
}

/** Start s3rver with these buckets (names of 3–63 characters) on a free port; resolves once it listens. */
export async function startS3rver(buckets: readonly string[]): Promise<S3rverHandle> {
  const server = await startLocalS3Server(buckets);
  const { endpoint } = server;
  const client = new S3Client({ ...s3ClientConfig({ AWS_ENDPOINT_URL_S3: endpoint }), endpoint, region: S3RVER_REGION, credentials: S3RVER_CREDENTIALS });
  return {
    endpoint,
    client,
    env: server.env,
    store: (url) => new S3ObjectStore(url, { client }),
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
