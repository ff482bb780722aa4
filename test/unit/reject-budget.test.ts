/** The reject budget (lib/core/dataset/reject-budget.ts): when a run fails at MergeIndex, and what it says. */
import { describe, expect, it } from 'vitest';
import { countRejectsByReason } from '../../lib/core/audit/rejects-by-reason.js';
import { resolveDatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { countIndexedRecords, DEFAULT_MAX_REJECTED_FRACTION, exceedsRejectBudget, rejectBudgetMessage } from '../../lib/core/dataset/reject-budget.js';
import type { LengthIndex } from '../../lib/core/index/length-index.js';

const config = (extra: Record<string, unknown>) => ({
  name: 'd',
  sources: [{ path: 'x.json' }],
  tokenizer: { npm: 'llama2' },
  template: { name: 'plain' },
  shard: { seed: 1, worldSize: 1, perDeviceBatchSize: 1 },
  ...extra,
});

describe('maxRejectedFraction', () => {
  it('defaults to 1 % and must be a number from 0 to 1, saying what it means', () => {
    expect(resolveDatasetConfig(config({})).config.maxRejectedFraction).toBe(DEFAULT_MAX_REJECTED_FRACTION);
    expect(DEFAULT_MAX_REJECTED_FRACTION).toBe(0.01);
    for (const bad of [-0.1, 1.5, '0.1']) {
      expect(() => resolveDatasetConfig(config({ maxRejectedFraction: bad }))).toThrow(
        /maxRejectedFraction.*must be a number from 0 to 1 \(0\.01 allows 1 % of records to be rejected; 1 allows any number\)/,
      );
    }
  });

  it('fails a run with nothing accepted, or a rejected share strictly above the budget', () => {
    expect(exceedsRejectBudget({ accepted: 0, rejected: 0 }, 1)).toBe(true);
    expect(exceedsRejectBudget({ accepted: 0, rejected: 5 }, 1)).toBe(true);
    expect(exceedsRejectBudget({ accepted: 99, rejected: 1 }, 0.01)).toBe(false);
    expect(exceedsRejectBudget({ accepted: 98, rejected: 2 }, 0.01)).toBe(true);
    expect(exceedsRejectBudget({ accepted: 100, rejected: 0 }, 0)).toBe(false);
  });

  it('says how many, why (top reasons with an example and their sources) and where the rejects are', () => {
    const reasons = countRejectsByReason([
      { source: 'a.json', reason: 'image "1.jpg": missing image file' },
      { source: 'b.json', reason: 'image "2.jpg": missing image file' },
      { source: 'a.json', reason: 'conversations: empty conversation' },
    ]);
    expect(rejectBudgetMessage({ accepted: 97, rejected: 3 }, 0.01, reasons, 'out/runs/r/rejects/')).toBe(
      '3 of 100 records rejected (3.0 %), over maxRejectedFraction 0.01 (1.0 %); top reasons: 2 × image "1.jpg": missing image file (and alike) [a.json, b.json]; ' +
        '1 × conversations: empty conversation [a.json]; rejects (one JSON line each, with source, byte offset, record id and reason) are in out/runs/r/rejects/. ' +
        'Fix the data, or raise maxRejectedFraction in dataset.json to accept these rejects (the tokenized chunks are reused)',
    );
    expect(rejectBudgetMessage({ accepted: 0, rejected: 3 }, 1, reasons, 'R/')).toMatch(
      /^every record was rejected \(3 of 3\): no sample is left to plan; top reasons: 2 × /,
    );
    expect(rejectBudgetMessage({ accepted: 0, rejected: 0 }, 1, [], 'R/')).toMatch(/^the sources hold no records/);
  });

  it('counts the rows of one split document as one record', () => {
    const index = {
      sampleCount: 5,
      sourceIndex: Int32Array.from([0, 0, 0, 1, 1]),
      sourceOffsets: BigInt64Array.from([1n, 1n, 9n, 1n, 7n]),
    } as unknown as LengthIndex;
    expect(countIndexedRecords(index)).toBe(4);
  });
});
