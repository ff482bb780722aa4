/** `megashard synth --out s3://…` writes the same dataset as to a folder, dataset.json last. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDefaultS3Client } from '../../lib/io/s3-store.js';
import { runCli } from '../helpers/run-cli.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

describe('megashard synth to S3', () => {
  let server: S3rverHandle;
  let dir: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    server = await startS3rver(['synth-bucket']);
    dir = await makeTempDir('synth-s3');
    for (const [name, value] of Object.entries(server.env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    setDefaultS3Client(undefined); // rebuilt from the variables just set
  }, 60_000);
  afterAll(async () => {
    setDefaultS3Client(undefined);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server?.stop();
    await removeTempDir(dir);
  });

  it('uploads the same files, byte for byte, as a folder synth of the same seed', async () => {
    const args = ['synth', 'llava-sft', '--samples', '40', '--seed', '5', '--images'];
    const local = await runCli([...args, '--out', join(dir, 'local')]);
    expect(local.code).toBe(0);
    const remote = await runCli([...args, '--out', 's3://synth-bucket/datasets/sft']);
    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(0);
    expect(JSON.parse(remote.stdout)).toMatchObject({ out: 's3://synth-bucket/datasets/sft', datasetJson: 's3://synth-bucket/datasets/sft/dataset.json' });

    const store = server.store('s3://synth-bucket/datasets/sft');
    const files = await listFilesUnder(join(dir, 'local'));
    expect(await store.list('')).toEqual([...files].sort());
    for (const file of files) expect(Buffer.from(await store.get(file)).equals(await readFile(join(dir, 'local', file))), file).toBe(true);
  }, 120_000);

  it('refuses a malformed S3 URL before synthesizing anything', async () => {
    const bad = await runCli(['synth', 'llava-pretrain', '--samples', '5', '--out', 's3://Bad_Bucket/x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/InvalidInput.*Bad_Bucket/);
  });
});
