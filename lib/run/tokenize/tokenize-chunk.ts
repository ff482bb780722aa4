import { encodeLengthIndex, encodeTokensFile } from '../../arrow/index.js';
import { canonicalJson } from '../../core/fingerprint.js';
import type { Conversation } from '../../core/corpus/conversation.js';
import { readChunkRecords, type AcceptedRecord, type RecordReject } from '../../core/corpus/read-chunk.js';
import type { SourceFormat } from '../../core/corpus/source-format.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { createTemplateEncoder, type TemplateEncoder } from '../../core/templates/encode-pieces.js';
import { resolveTemplate } from '../../core/templates/template-registry.js';
import { assembleChunk, type RecordImages } from '../../core/tokenize/assemble-chunk.js';
import type { Tokenizer } from '../../core/tokenize/tokenizer.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { z } from 'zod';
import { chunkTaskSchema, type ChunkTask } from '../../core/corpus/chunk-task-schema.js';
import { checkRecordImages } from './check-images.js';
import { datasetImageFacts, type ImageFactsSource } from './image-facts-source.js';

export type { ChunkTask };

/** What a chunk produced (small: it travels between states, the data stays in the store). */
export const chunkSummarySchema = z
  .object({
    task: chunkTaskSchema,
    samples: z.number().int().min(0),
    rejects: z.number().int().min(0),
    tokens: z.number().int().min(0),
    keys: z.object({ tokens: z.string(), index: z.string(), rejects: z.string() }).strict().readonly(),
  })
  .strict()
  .readonly();

/** What a chunk produced. */
export type ChunkSummary = z.infer<typeof chunkSummarySchema>;

/** A tokenizer bound to the dataset's template, made once per worker and reused for every chunk. */
export interface ChunkTokenizer {
  readonly tokenizer: Tokenizer;
  readonly encoder: TemplateEncoder;
  /** Vision tokens per image of the conversations being encoded (filled per chunk). */
  readonly imageTokens: WeakMap<Conversation, readonly number[]>;
}

/** Bind the dataset's template (for its stage) to a tokenizer, with its constants encoded once. */
export async function createChunkTokenizer(config: DatasetConfig, tokenizer: Tokenizer): Promise<ChunkTokenizer> {
  const imageTokens = new WeakMap<Conversation, readonly number[]>();
  const encoder = await createTemplateEncoder(resolveTemplate(config.template, config.stage), tokenizer, {
    maxLength: config.maxLength,
    overflow: config.overLength,
    imageTokens: (conversation, k) => imageTokens.get(conversation)?.[k] ?? 1,
  });
  return { tokenizer, encoder, imageTokens };
}

/** Key names of a chunk's three outputs; zero-padded so listings sort in (source, chunk) order. */
export function chunkKeys(prefix: string, task: Pick<ChunkTask, 'sourceIndex' | 'chunkIndex'>): ChunkSummary['keys'] {
  const name = `part-${String(task.sourceIndex).padStart(4, '0')}-${String(task.chunkIndex).padStart(6, '0')}`;
  return {
    tokens: joinKey(prefix, 'tokens', `${name}.arrow`),
    index: joinKey(prefix, 'index-parts', `${name}.arrow`),
    rejects: joinKey(prefix, 'rejects', `${name}.jsonl`),
  };
}

/** The dataset a chunk belongs to. */
export interface ChunkDataset {
  readonly store: ObjectStore;
  readonly config: DatasetConfig;
  /**
   * Where the chunk learns about its images; default: the store probed at the config's imageCheck
   * level, each distinct image once per chunk. Share one across chunks to check each image once.
   */
  readonly images?: ImageFactsSource;
}

/**
 * Tokenize one chunk: read its bytes (one ranged read), parse records (rejects keep their
 * reasons), check images, apply the template, and write the tokens file, the length-index part
 * and the rejects file. Valid records are unaffected by invalid neighbours: every fault of a
 * record is a reject; only a failing store throws.
 */
export async function tokenizeChunk(
  task: ChunkTask,
  dataset: ChunkDataset,
  bound: ChunkTokenizer,
  out: { readonly store: ObjectStore; readonly prefix: string },
): Promise<ChunkSummary> {
  const bytes = await dataset.store.getRange(task.source, task.byteStart, task.byteEnd);
  const read = readChunkRecords(bytes, { absoluteOffset: task.byteStart, sourceName: task.source, format: task.format, endOfSource: task.endOfSource });
  const { config } = dataset;
  const facts = dataset.images ?? datasetImageFacts(dataset.store, config);
  const checks = await checkRecordImages(read.records, { facts, imageRoot: config.imageRoot, rule: config.imageTokens });
  const accepted: AcceptedRecord[] = [];
  const images: RecordImages[] = [];
  const rejects: RecordReject[] = [...read.rejects];
  read.records.forEach((record, r) => {
    const check = checks[r]!;
    if (check.ok) {
      accepted.push(record);
      images.push(check.images);
      bound.imageTokens.set(record.conversation, check.images.tokens);
    } else {
      rejects.push({ source: task.source, byteOffset: record.byteOffset, recordId: record.conversation.id || null, reason: check.reason });
    }
  });
  const batch = await bound.encoder.encode(accepted.map((record) => record.conversation));
  const { samples, index } = assembleChunk(task.source, accepted, images, batch);
  const keys = chunkKeys(out.prefix, task);
  await out.store.put(
    keys.tokens,
    encodeTokensFile(samples, {
      tokenizerFingerprint: bound.tokenizer.fingerprint,
      templateJson: canonicalJson(dataset.config.template),
      imageTokenRuleJson: canonicalJson(dataset.config.imageTokens),
    }),
  );
  await out.store.put(keys.index, encodeLengthIndex(index));
  rejects.sort((a, b) => a.byteOffset - b.byteOffset);
  await out.store.put(keys.rejects, rejects.map((reject) => `${JSON.stringify(reject)}\n`).join(''));
  return { task, samples: samples.sampleCount, rejects: rejects.length, tokens: samples.inputIds.length, keys };
}
