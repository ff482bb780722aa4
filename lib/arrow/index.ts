/** Public API of lib/arrow, the only module that imports apache-arrow: typed arrays in, IPC bytes out. */
export {
  DEFAULT_MAX_ROWS_PER_BATCH,
  LENGTH_INDEX_FORMAT_VERSION,
  LENGTH_INDEX_KIND,
  decodeLengthIndex,
  encodeLengthIndex,
  type DecodedLengthIndex,
  type EncodeLengthIndexOptions,
  type LengthIndexMetadata,
} from './length-index-file.js';
export {
  PLAN_RANK_FORMAT_VERSION,
  PLAN_RANK_KIND,
  decodePlanRankFile,
  encodePlanRankFile,
  planMicroBatchSize,
  planRankStepRows,
  type DecodedPlanRank,
  type PlanRankMeta,
  type PlanRankMetadata,
} from './plan-rank-file.js';
export { PLAN_RANK_READABLE_VERSIONS, type PlanRankLayout } from './plan-rank-metadata.js';
export {
  TOKENS_FORMAT_VERSION,
  TOKENS_KIND,
  decodeTokensFile,
  decodeTokensFileRows,
  encodeTokensFile,
  type TokensFileRows,
  type TokensProvenance,
} from './tokens-file.js';
export {
  SHARD_FORMAT_VERSION,
  SHARD_PACKED_FORMAT_VERSION,
  shardPackingSchema,
  type ShardPacking,
  SHARD_INDEX_KIND,
  SHARD_KIND,
  decodeShardRecordBatch,
  encodeShardFile,
  readShardBatches,
  readShardColumns,
  readShardFileInfo,
  shardStepCount,
  type ShardColumns,
  type ShardFileInfo,
  type ShardMeta,
  type ShardMetadata,
  type ShardMicroBatch,
  type ShardRows,
  type ShardTokenColumns,
} from './shard-file.js';
