/**
 * A real S3-compatible HTTP server (s3rver, a devDependency) on 127.0.0.1, for benchmarks and
 * integration tests, offline. It runs in a child process because it needs
 * `--openssl-legacy-provider` (its ListObjectsV2 continuation tokens use DES, which OpenSSL 3
 * refuses, so any listing past 1,000 keys fails with HTTP 500); turning that on in this process
 * would weaken crypto for everything else here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageError } from '../core/errors.js';

/** s3rver checks the access key: it knows only this pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
/** The region clients of the local server sign for (s3rver accepts any). */
export const S3RVER_REGION = 'us-east-1';
const READY_TIMEOUT_MS = 30_000;

/** A running local S3 server. */
export interface LocalS3Server {
  /** `http://127.0.0.1:<port>` (an IP, not `localhost`, which the SDK would address as `<bucket>.localhost`). */
  readonly endpoint: string;
  /** The AWS variables that point a client built from the environment here. */
  readonly env: Readonly<Record<string, string>>;
  /** Stop the server and delete its files. */
  stop(): Promise<void>;
}

/** The child's program: CommonJS, given the absolute path of s3rver so it resolves from anywhere. */
const CHILD_SCRIPT = `
const S3rver = require(process.env.S3RVER_MODULE);
const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true, directory: process.env.S3RVER_DIR,
  configureBuckets: JSON.parse(process.env.S3RVER_BUCKETS).map((name) => ({ name })),
});
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); },
);
// Exit with the parent: its end of stdin closes when it dies, even if it never calls stop();
// then nobody else will delete the objects.
process.stdin.on('end', () => {
  require('node:fs').rmSync(process.env.S3RVER_DIR, { recursive: true, force: true });
  process.exit(0);
}).resume();
process.on('SIGTERM', () => process.exit(0));
`;

/** Start s3rver with these buckets (names of 3–63 characters) on a free port; resolves once it listens. */
export async function startLocalS3Server(buckets: readonly string[]): Promise<LocalS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'megashard-s3rver-'));
  const removeDirectory = () => rm(directory, { recursive: true, force: true });
  let child: ChildProcess;
  let port: number;
  try {
    child = spawn(process.execPath, ['-e', CHILD_SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // Replaces, not extends, the parent's NODE_OPTIONS: a test runner's loaders have no business there.
        NODE_OPTIONS: '--openssl-legacy-provider',
        S3RVER_MODULE: resolveS3rver(),
        S3RVER_DIR: directory,
        S3RVER_BUCKETS: JSON.stringify(buckets),
      },
    });
    port = await waitForPort(child).catch(async (error: unknown) => {
      await stopChild(child);
      throw error;
    });
  } catch (error) {
    await removeDirectory();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: S3RVER_REGION,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    },
    stop: async () => {
      await stopChild(child);
      await removeDirectory();
    },
  };
}

/** s3rver is a devDependency: installed for development, benchmarks and tests, not for users. */
function resolveS3rver(): string {
  try {
    return createRequire(import.meta.url).resolve('s3rver');
  } catch {
    throw new StorageError('s3rver', 'is not installed (it is a devDependency): run `npm ci` in a megashard checkout to use the local S3 server');
  }
}

/** Read the child's `{"port":N}` line; fail with its stderr if it exits or stays silent. */
function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`s3rver did not start within ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const line = stdout.split('\n', 1)[0];
      if (!stdout.includes('\n') || line === undefined) return;
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve(port);
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`s3rver exited before listening (code ${code}, signal ${signal}): ${stderr}`)));
  });
}

/** SIGTERM the child and wait for it to exit (SIGKILL after 5 s). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
