/**
 * `npx tsx bench/write-shards.ts <run folder> <from> <to> [runs] [other lib folder]`: one WriteShards
 * call (`writeShardRanks` of epoch 0, ranks [from, to), the pipeline's per-call token budget) on a
 * run folder, its writes kept in memory so the run is untouched and the disk does not time the
 * writes. With a second `lib/` folder (e.g. an earlier commit's, `git archive <commit> lib | tar -x
 * -C <dir>` with node_modules linked beside it), both are timed alternating in this process.
 * Prints, per side, the median and every run in seconds, and a SHA-256 over every written file.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../lib/io/open-store.js';
import type { ObjectStore } from '../lib/io/object-store.js';
import { WRITE_SHARDS_TOKENS_PER_CALL } from '../lib/run/shards/list-shard-work.js';

const [runDir, fromArg, toArg, runsArg, otherLib] = process.argv.slice(2);
if (runDir === undefined || fromArg === undefined || toArg === undefined) throw new Error('usage: bench/write-shards.ts <run folder> <from> <to> [runs] [other lib folder]');
const ranks: [number, number] = [Number(fromArg), Number(toArg)];
const sides: Array<{ name: string; lib: string }> = [{ name: 'this tree', lib: resolve(import.meta.dirname, '../lib') }];
if (otherLib !== undefined) sides.unshift({ name: otherLib, lib: resolve(otherLib) });

const base = openStore(runDir);
const written = new Map<string, Uint8Array>();
// Reads go to the run; writes stay in memory.
const run: ObjectStore = new Proxy(base, {
  get(target, prop, receiver) {
    if (prop === 'put') return async (key: string, data: Uint8Array | string) => void written.set(key, typeof data === 'string' ? new TextEncoder().encode(data) : data);
    const value = Reflect.get(target, prop, receiver);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});

const loaded = await Promise.all(sides.map(async ({ name, lib }) => ({
  name,
  inputs: await import(`${lib}/run/shard-run-inputs.ts`),
  write: await import(`${lib}/run/write-shards.ts`),
  seconds: [] as number[],
  digest: '',
})));
for (let r = 0; r < Number(runsArg ?? 5); r++) {
  for (const side of loaded) {
    written.clear();
    const inputs = await side.inputs.loadShardRunInputs(run);
    const start = performance.now();
    await side.write.writeShardRanks(inputs, { epoch: 0, ranks, maxTokensInMemory: WRITE_SHARDS_TOKENS_PER_CALL });
    side.seconds.push((performance.now() - start) / 1000);
    const digest = createHash('sha256');
    for (const key of [...written.keys()].sort()) digest.update(`${key} ${createHash('sha256').update(written.get(key)!).digest('hex')}\n`);
    side.digest = `${written.size} files, sha256 ${digest.digest('hex')}`;
  }
}
for (const { name, seconds, digest } of loaded) {
  const median = [...seconds].sort((a, b) => a - b)[seconds.length >> 1]!;
  console.log(`${name}: median ${median.toFixed(3)} s [${seconds.map((s) => s.toFixed(3)).join(' ')}], ${digest}`);
}
