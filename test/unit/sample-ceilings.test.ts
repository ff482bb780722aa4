/**
 * Limits stated and refused early: the single-call states' ceilings in samples at 10 GB, the
 * record estimate from a source's first bytes, and Prepare refusing a corpus above the ceiling
 * with InvalidInput before anything is written.
 */
import { describe, expect, it } from 'vitest';
import { estimateRecords } from '../../lib/core/corpus/estimate-records.js';
import { InvalidInputError } from '../../lib/core/errors.js';
import { checkSampleCeiling, sampleCeilings } from '../../lib/core/plan/sample-ceilings.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('sample ceilings', () => {
  it("gives each single-call state its ceiling at 10 GB, the audit reduce's shrinking with epochs", () => {
    const one = sampleCeilings(1);
    // docs/scale.md: 48.3M for MergeIndex and PlanShards, 46.0M for the reduce at one epoch.
    expect(one.MergeIndex).toBeGreaterThan(45e6);
    expect(one.Audit).toBeGreaterThan(40e6);
    expect(sampleCeilings(8).Audit).toBeLessThan(one.Audit);
    const lowest = Math.min(...Object.values(one));
    expect(() => checkSampleCeiling(lowest, 1, 'dataset.json')).not.toThrow();
    expect(() => checkSampleCeiling(lowest + 1, 1, 'dataset.json')).toThrow(InvalidInputError);
    expect(() => checkSampleCeiling(1e9, 1, 'd/dataset.json')).toThrow(
      /d\/dataset\.json: holds about 1,000,000,000 records .*Audit is one call .* handles at most 46,[\d,]+ with 1 epoch\(s\) in a 10 GB Lambda/,
    );
  });

  it('estimates records from the first bytes: exact for a whole file, scaled by size otherwise', () => {
    const line = '{"id":"x","image":"a.jpg","conversations":[]}\n';
    expect(estimateRecords(text(line.repeat(10)), 10 * line.length, 'jsonl', 'a.jsonl')).toBe(10);
    expect(estimateRecords(text(line.repeat(10)), 1000 * line.length, 'jsonl', 'a.jsonl')).toBeCloseTo(1000, -1);
    const element = '{"id":"x","conversations":[{"from":"human","value":"hi, [1]"}]}';
    const array = `[${Array.from({ length: 50 }, () => element).join(',')}]`;
    expect(estimateRecords(text(array), array.length, 'json-array', 'a.json')).toBe(50);
    const head = text(array.slice(0, 20 * (element.length + 1) + 7));
    expect(estimateRecords(head, array.length, 'json-array', 'a.json')).toBeGreaterThanOrEqual(48);
    expect(estimateRecords(head, array.length, 'json-array', 'a.json')).toBeLessThanOrEqual(52);
  });
});
