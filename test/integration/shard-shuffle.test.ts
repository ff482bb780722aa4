/**
 * The two-phase shard shuffle (Route → Assemble → finish from results) against the single-pass
 * writer it replaces, on a real multi-chunk, multi-epoch run: every shard file and manifest
 * byte-identical, however the sections are cut; retried calls leave the same bytes; a missing or
 * truncated routed object fails Assemble naming it; an index-only run gets the same index shards.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLengthIndex } from '../../lib/arrow/index.js';
import { CorruptArtifactError } from '../../lib/core/errors.js';
import { routeItemSchema, shardSectionSchema } from '../../lib/core/shards/shard-sections.js';
import { ROUTE_WORK_KEY, routedObjectKey } from '../../lib/core/shards/route-layout.js';
import { readRoutedHeader } from '../../lib/core/shards/routed-object.js';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { planIndexFile } from '../../lib/run/plan/plan-index-file.js';
import { assembleShardSection } from '../../lib/run/shards/assemble-shard-section.js';
import { finishShardEpochFromResults } from '../../lib/run/shards/finish-shard-epoch.js';
import { finishShards } from '../../lib/run/shards/finish-shards.js';
import { listShardRoutes } from '../../lib/run/shards/list-shard-routes.js';
import { routeTokensFile } from '../../lib/run/shards/route-tokens-file.js';
import { writeRunShards } from '../../lib/run/shards/write-run-shards.js';
import { writeRunShardsLocally } from '../helpers/single-pass-shards/write-shards.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SPEC = { strategy: 'balanced', seed: 11, epochs: 3, worldSize: 5, perDeviceBatchSize: 3, gradientAccumulation: 2 };
let tmp: string;
let base: string;

beforeAll(async () => {
  tmp = await makeTempDir('shuffle');
  base = join(tmp, 'base');
  expect((await runCli(['synth', 'llava-sft', '--samples', '300', '--seed', '8', '--out', join(tmp, 'data'), '--images'])).code).toBe(0);
  const config = JSON.parse(await readFile(join(tmp, 'data', 'dataset.json'), 'utf8'));
  await writeFile(join(tmp, 'data', 'dataset.json'), JSON.stringify({ ...config, chunkBytes: 50_000 }));
  expect((await runCli(['tokenize', join(tmp, 'data'), '--out', base, '--workers', '1'])).code).toBe(0);
  await writeFile(join(tmp, 'spec.json'), JSON.stringify(SPEC));
  expect((await runCli(['plan', '--index', join(base, 'index/lengths.arrow'), '--spec', join(tmp, 'spec.json'), '--out', join(base, 'plan')])).code).toBe(0);
}, 180_000);
afterAll(() => removeTempDir(tmp));

/** A copy of the planned (not yet sharded) run. */
async function copyOfRun(name: string): Promise<FsObjectStore> {
  await cp(base, join(tmp, name), { recursive: true });
  return new FsObjectStore(join(tmp, name));
}

/** Every file under shards/ with its bytes. */
async function shardFiles(name: string): Promise<Map<string, Buffer>> {
  const files = await listFilesUnder(join(tmp, name, 'shards'));
  return new Map(await Promise.all(files.map(async (file) => [file, await readFile(join(tmp, name, 'shards', file))] as const)));
}

function expectSameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [file, bytes] of expected) expect(actual.get(file)!.equals(bytes), file).toBe(true);
}

describe('the two-phase shard shuffle', () => {
  let reference: Map<string, Buffer>;

  beforeAll(async () => {
    await writeRunShardsLocally(await copyOfRun('single-pass'));
    reference = await shardFiles('single-pass');
    expect(reference.size).toBe(3 * (1 + 2 * 5) + 1);
  }, 120_000);

  it('writes byte-identical shards and manifests, with one section per call or many', async () => {
    for (const [name, budget] of [
      ['shuffled-default', {}],
      ['shuffled-small', { tokensPerCall: 2_000, ranksPerCall: 2 }],
    ] as const) {
      const run = await copyOfRun(name);
      await writeRunShards(run, { budget });
      expectSameFiles(await shardFiles(name), reference);
      // The routed objects and route lists are gone once the shards are finished.
      expect(await run.list('work/')).toEqual([]);
    }
    const tokensFiles = JSON.parse(await readFile(join(base, 'tokenize.json'), 'utf8')).chunks.length;
    expect(tokensFiles).toBeGreaterThan(3);
  }, 120_000);

  it('leaves the same bytes when a Route or Assemble call runs again (retry, resume after a kill)', async () => {
    const run = await copyOfRun('retried');
    const listed = await listShardRoutes(run, { ranksPerCall: 2 });
    const routes = routeItemSchema.array().parse(JSON.parse(new TextDecoder().decode(await run.get(ROUTE_WORK_KEY))));
    const sections = shardSectionSchema.array().parse(JSON.parse(new TextDecoder().decode(await run.get(listed.shardWorkKey))));
    for (const route of routes) await routeTokensFile(run, route);
    const before = await run.get(routedObjectKey(1));
    // A call killed after its write and run again, and a whole phase run twice.
    await routeTokensFile(run, routes[1]!);
    expect(Buffer.from(await run.get(routedObjectKey(1))).equals(Buffer.from(before))).toBe(true);
    const results = [];
    for (const section of sections) results.push(await assembleShardSection(run, section));
    const again = await assembleShardSection(run, sections[4]!);
    expect(again).toEqual(results[4]);
    for (const route of routes) await routeTokensFile(run, route);
    for (const epoch of [0, 1, 2]) await finishShardEpochFromResults(run, epoch, results);
    await finishShards(run);
    expectSameFiles(await shardFiles('retried'), reference);
  }, 120_000);

  it('fails Assemble with CorruptArtifact naming a missing or truncated routed object', async () => {
    const run = await copyOfRun('damaged');
    const listed = await listShardRoutes(run, { ranksPerCall: 2 });
    const routes = routeItemSchema.array().parse(JSON.parse(new TextDecoder().decode(await run.get(ROUTE_WORK_KEY))));
    for (const route of routes) await routeTokensFile(run, route);
    const sections = shardSectionSchema.array().parse(JSON.parse(new TextDecoder().decode(await run.get(listed.shardWorkKey))));
    const routed = await run.get(routedObjectKey(2));
    expect(readRoutedHeader(routed, 'routed')).toEqual({ file: 2, sections: sections.length });
    const last = sections[sections.length - 1]!;
    await run.put(routedObjectKey(2), routed.subarray(0, routed.length - 100));
    await expect(assembleShardSection(run, last)).rejects.toThrow(CorruptArtifactError);
    await expect(assembleShardSection(run, last)).rejects.toThrow(/routed\/part-000002\.route.*truncated/);
    await run.put(routedObjectKey(2), routed.subarray(0, 40));
    await expect(assembleShardSection(run, sections[0]!)).rejects.toThrow(/routed\/part-000002\.route.*rerun Route/);
    await writeFile(join(tmp, 'damaged', routedObjectKey(2)), '');
    await import('node:fs/promises').then((fs) => fs.rm(join(tmp, 'damaged', routedObjectKey(2))));
    await expect(assembleShardSection(run, sections[0]!)).rejects.toThrow(/routed\/part-000002\.route: is missing .*rerun Route/);
  }, 120_000);

  it('writes the same index-only shards for an index without tokens', async () => {
    const write = async (name: string, shuffle: boolean) => {
      const store = new FsObjectStore(join(tmp, name));
      await store.put('index/lengths.arrow', encodeLengthIndex(syntheticLengthIndex(700, 4)));
      await planIndexFile({ index: { store, key: 'index/lengths.arrow' }, spec: { ...SPEC, epochs: 2, worldSize: 7 }, out: { store, prefix: 'plan' } });
      if (shuffle) await writeRunShards(store, { budget: { ranksPerCall: 3 } });
      else await writeRunShardsLocally(store);
      return shardFiles(name);
    };
    const expected = await write('synthetic-single-pass', false);
    expect([...expected.keys()].filter((key) => key.endsWith('.index.arrow'))).toHaveLength(14);
    expectSameFiles(await write('synthetic-shuffled', true), expected);
  }, 120_000);
});
