/** WriteShards items: every rank of every epoch in exactly one item, in order, within each call's limits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planShardWork } from '../../lib/core/shards/shard-work.js';

const epochsArb = fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 4 });
const limitsArb = fc.record({
  tokensPerEntry: fc.double({ min: 0, max: 1000, noNaN: true }),
  maxTokensPerItem: fc.integer({ min: 1, max: 20_000 }),
  maxRanksPerItem: fc.integer({ min: 1, max: 70 }),
});

describe('planShardWork', () => {
  it('cuts each epoch into consecutive rank ranges covering every rank once, each within the limits unless one rank alone exceeds the budget', () => {
    fc.assert(
      fc.property(epochsArb, limitsArb, (entries, limits) => {
        const epochs = entries.map((entriesPerRank, epoch) => ({ epoch, entriesPerRank }));
        const items = planShardWork(epochs, limits);
        for (const { epoch, entriesPerRank } of epochs) {
          const mine = items.filter((item) => item.epoch === epoch);
          expect(mine[0]!.ranks[0]).toBe(0);
          expect(mine.at(-1)!.ranks[1]).toBe(entriesPerRank.length);
          mine.forEach((item, i) => {
            const [from, to] = item.ranks;
            expect(from).toBeLessThan(to);
            if (i > 0) expect(from).toBe(mine[i - 1]!.ranks[1]);
            expect(to - from).toBeLessThanOrEqual(limits.maxRanksPerItem);
            const tokens = entriesPerRank.slice(from, to).reduce((sum, n) => sum + n * limits.tokensPerEntry, 0);
            if (to - from > 1) expect(tokens).toBeLessThanOrEqual(limits.maxTokensPerItem);
          });
        }
        // Epochs in the order given: the item list is a pure function of the counts.
        expect(items.map((item) => item.epoch)).toEqual([...items.map((item) => item.epoch)].sort((a, b) => a - b));
        expect(planShardWork(epochs, limits)).toEqual(items);
      }),
    );
  });

  it('spreads 1,024 balanced ranks over calls of at most 64 ranks', () => {
    const items = planShardWork([{ epoch: 0, entriesPerRank: new Array(1024).fill(100) }], {
      tokensPerEntry: 500,
      maxTokensPerItem: 1 << 25,
      maxRanksPerItem: 64,
    });
    expect(items).toHaveLength(16);
    expect(items[15]).toEqual({ epoch: 0, ranks: [960, 1024] });
  });

  it('refuses limits that cannot bound a call', () => {
    expect(() => planShardWork([], { tokensPerEntry: 1, maxTokensPerItem: 0, maxRanksPerItem: 1 })).toThrow(/maxTokensPerItem 0/);
  });
});
