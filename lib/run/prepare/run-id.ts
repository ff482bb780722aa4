import { canonicalJson, sha256Hex } from '../../core/fingerprint.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { DEFAULT_IMAGE_CHECK, type ImageCheckLevel } from '../../core/images/image-check.js';
import type { ResolvedShardSpec } from '../../core/spec/resolve-shard-spec.js';
import { specToJson } from '../../core/spec/spec-json.js';
import type { SourceIdentity } from '../../core/dataset/source-blocks.js';

/**
 * Version of what a run's outputs are made by. Bump it with any change that alters an output byte
 * for the same inputs, so such a change gets a new run id instead of reusing stale outputs.
 */
export const RUN_FORMAT = 'megashard-run/2';

/** Hex digits of the fingerprint that name the run's folder (96 bits: collisions are not a concern). */
const RUN_ID_HEX_DIGITS = 24;

/** What a run is made from. */
export interface RunInputs {
  readonly config: DatasetConfig;
  readonly shard: ResolvedShardSpec;
  readonly tokenizerFingerprint: string;
  /** Every source file of the config, in config order (see source-blocks.ts for the two shapes). */
  readonly sources: readonly SourceIdentity[];
}

/**
 * The run's fingerprint: SHA-256 of the canonical JSON of the run format, the resolved config (the
 * shard spec resolved, so spelling a default out does not change it), the tokenizer's fingerprint
 * and each source's size and SHA-256 (of its bytes, or for a source of several hash blocks, of its
 * block digests: lib/core/dataset/source-blocks.ts). Nothing about where the dataset sits enters, so the same
 * dataset in a folder or in a bucket gets the same run id.
 */
export function fingerprintRun(inputs: RunInputs): string {
  const { shard: _raw, ...config } = fingerprintedConfig(inputs.config);
  return sha256Hex(
    canonicalJson({
      format: RUN_FORMAT,
      config,
      shard: { strategy: inputs.shard.strategy.id, spec: specToJson(inputs.shard.spec) },
      tokenizer: inputs.tokenizerFingerprint,
      // A one-block source is {path, bytes, sha256} as it always was; a larger one names its hash list.
      sources: inputs.sources.map((source) =>
        'sha256' in source
          ? { path: source.path, bytes: source.bytes, sha256: source.sha256 }
          : { path: source.path, bytes: source.bytes, blockBytes: source.blockBytes, blocksSha256: source.blocksSha256 },
      ),
    }),
  );
}

/**
 * The config as fingerprinted. `imageCheck` was added after megashard-run/2 and enters only when it
 * differs from its default, so the run id of every config that does not set it stays what it was
 * (a defaulted field in the resolved config would rename every existing run, the demo's included).
 * `maxRejectedFraction` never enters: it gates the run at MergeIndex and changes no output byte, so
 * raising it after a failed run resumes that same run and reuses its tokenized chunks.
 */
function fingerprintedConfig(config: DatasetConfig): Omit<DatasetConfig, 'maxRejectedFraction' | 'imageCheck'> & { imageCheck?: ImageCheckLevel } {
  const { maxRejectedFraction: _gate, imageCheck, ...rest } = config;
  return imageCheck === DEFAULT_IMAGE_CHECK ? rest : { ...rest, imageCheck };
}

/** The run id (the folder under `runs/`): the fingerprint's first 24 hex digits. */
export function runIdOf(runFingerprint: string): string {
  return runFingerprint.slice(0, RUN_ID_HEX_DIGITS);
}
