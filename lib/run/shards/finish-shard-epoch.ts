/**
 * FinishShards from results: an epoch's manifest is built from what its Assemble calls reported
 * (every file's size and sha256, hashed from the bytes they wrote), checked against the plan —
 * every rank once, each with the plan's entries and steps — without reading a shard file back.
 */
import { CorruptArtifactError, InvalidInputError } from '../../core/errors.js';
import { sha256Hex } from '../../core/fingerprint.js';
import { SHARDS_PREFIX, shardEpochManifestKey } from '../../core/shards/shard-layout.js';
import { SHARD_MANIFEST_FORMAT_VERSION, type ShardEpochManifest, type ShardFileEntry } from '../../core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { readPlannedEpoch, readPlanRoot } from '../plan/read-planned-rank.js';
import type { AssembledSection } from './assemble-shard-section.js';
import type { ShardEpochEntry } from './finish-shards.js';

/** Write `shards/epoch-NNNN/manifest.json` from the epoch's Assemble results (any order). */
export async function finishShardEpochFromResults(
  run: ObjectStore,
  epoch: number,
  results: readonly AssembledSection[],
): Promise<{ manifest: ShardEpochManifest; entry: ShardEpochEntry }> {
  const planned = await readPlannedEpoch(run, await readPlanRoot(run), epoch);
  const ofEpoch = [...results].filter((r) => r.epoch === epoch).sort((a, b) => a.ranks[0] - b.ranks[0]);
  const where = `${run.location}/${joinKey(SHARDS_PREFIX, shardEpochManifestKey(epoch))}`;
  const identity = ofEpoch[0]?.identity;
  if (identity === undefined) throw new InvalidInputError('results', `no Assemble call reported epoch ${epoch}: write its shards first`);
  const byRank = new Map<number, ShardFileEntry[]>();
  for (const result of ofEpoch) {
    if (JSON.stringify(result.identity) !== JSON.stringify(identity))
      throw new CorruptArtifactError(where, `ranks [${result.ranks.join(', ')}) were written for another run (${JSON.stringify(result.identity)})`);
    for (const file of result.files) byRank.set(file.rank, [...(byRank.get(file.rank) ?? []), file]);
  }
  const files: ShardFileEntry[] = [];
  for (const planFile of planned.manifest.files) {
    const written = byRank.get(planFile.rank) ?? [];
    if (written.length === 0)
      throw new InvalidInputError('results', `rank ${planFile.rank} of epoch ${epoch} was written by no Assemble call: run its section`);
    for (const file of written) {
      if (file.steps !== planFile.steps || file.entries !== planFile.entries) {
        throw new CorruptArtifactError(
          where,
          `${file.key}: ${file.entries} entries in ${file.steps} steps; the plan has ${planFile.entries} in ${planFile.steps}`,
        );
      }
    }
    files.push(...written.sort((a, b) => (a.variant === b.variant ? 0 : a.variant === 'tokens' ? -1 : 1)));
  }
  if (planned.manifest.files.length !== identity.worldSize)
    throw new CorruptArtifactError(where, `the plan has ${planned.manifest.files.length} ranks; the shards say world size ${identity.worldSize}`);
  const manifest: ShardEpochManifest = {
    kind: 'epoch-shards-manifest',
    formatVersion: SHARD_MANIFEST_FORMAT_VERSION,
    ...identity,
    epoch,
    stepsPerRank: Math.max(0, ...files.map((f) => f.steps)),
    ...(ofEpoch[0]!.packing ? { packing: ofEpoch[0]!.packing } : {}),
    files,
  };
  const key = shardEpochManifestKey(epoch);
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  await run.put(joinKey(SHARDS_PREFIX, key), text);
  return { manifest, entry: { epoch, key, sha256: sha256Hex(text) } };
}
