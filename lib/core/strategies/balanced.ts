import { validateLengths } from '../plan/validate-lengths.js';
import type { Strategy } from './strategy.js';
import { balancedSpecSchema, type BalancedSpec } from './balanced/balanced-spec.js';
import { balancedSeedKey } from './balanced/seed-key.js';
import { BALANCED_ID, planBalanced } from './balanced/plan-balanced.js';

/**
 * megashard's default strategy: one seed for every rank by construction, optional modality
 * grouping, length grouping over mega-batches of mult × W × B, per-step token balance across
 * ranks, the longest micro-step first for every data shape, equal step counts on every rank, and
 * a declared remainder policy. Gradient accumulation only sets the whole-step unit.
 */
export const balancedStrategy: Strategy<BalancedSpec> = {
  id: BALANCED_ID,
  summary: 'Length-grouped, token-balanced across ranks, longest step first, equal steps per rank (default).',
  specSchema: balancedSpecSchema,
  defaultLengthColumn: 'total',
  usesModalitySign: true,
  validateLengths: (lengths, field) => validateLengths(lengths, { allowNegative: true }, field),
  planEpoch: (lengths, spec, epoch) =>
    planBalanced(lengths, spec, epoch, {
      sampleIds: null,
      rngKey: balancedSeedKey(spec.seed, epoch),
      remainder: spec.remainder,
    }),
  planMultiset: (lengths, drawn, spec, epoch) =>
    planBalanced(lengths, spec, epoch, {
      sampleIds: drawn,
      rngKey: balancedSeedKey(spec.seed, epoch),
      remainder: spec.remainder,
    }),
};
