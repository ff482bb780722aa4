import { InvalidInputError } from '../errors.js';
import { validateLengths } from '../plan/validate-lengths.js';
import type { CommonSpec, Strategy } from '../strategies/strategy.js';
import { balancedPackStrategy } from './balanced-pack-strategy.js';
import type { PackedSpec, PackingStrategy } from './packing-strategy.js';
import { XTUNER_V1_HARD_PACK_ID } from './xtuner-hard-pack.js';
import { XTUNER_V1_PACK_LENGTH_GROUPED_ID } from './xtuner-pack-sampler.js';
import { xtunerV1SoftPackStrategy } from './xtuner-v1-pack-plan.js';

/** Every packing strategy a spec can name, default first. */
const PACKERS: readonly PackingStrategy<any>[] = [balancedPackStrategy, xtunerV1SoftPackStrategy];

/** Parity ids that exist (sampler-replay reproduces them) but cannot plan packs of whole samples, and why. */
const NOT_PLANNABLE: Readonly<Record<string, string>> = {
  [XTUNER_V1_HARD_PACK_ID]: 'splits samples across packs, and megashard never splits a sample (sampler-replay reproduces its golden files)',
  [XTUNER_V1_PACK_LENGTH_GROUPED_ID]: 'orders packs, it does not make them: it is the step order of xtuner-v1-soft-pack@1',
};

/** The packer used when `packing.strategy` is omitted. */
export const DEFAULT_PACKING_ID = balancedPackStrategy.id;

/** All registered packing strategies, default first. */
export function listPackingStrategies(): readonly PackingStrategy<PackedSpec>[] {
  return PACKERS;
}

/** Whether an id or bare name names a packing id (plannable or not). */
export function isPackingId(idOrName: string): boolean {
  return [...PACKERS.map((p) => p.id), ...Object.keys(NOT_PLANNABLE)].some((id) => id === idOrName || id.split('@')[0] === idOrName);
}

/** Look a packer up by versioned id or bare name; anything else is InvalidInput naming `field`. */
export function findPackingStrategy(idOrName: string, field: string): PackingStrategy<PackedSpec> {
  const found = PACKERS.find((p) => p.id === idOrName) ?? PACKERS.filter((p) => p.id.split('@')[0] === idOrName).at(-1);
  if (found) return found;
  const known = PACKERS.map((p) => p.id).join(', ');
  const parity = Object.entries(NOT_PLANNABLE).find(([id]) => id === idOrName || id.split('@')[0] === idOrName);
  if (parity) throw new InvalidInputError(field, `is "${idOrName}", which ${parity[1]}; plan packs with one of ${known}`);
  throw new InvalidInputError(field, `is "${idOrName}", not a packing strategy; use one of ${known}`);
}

/**
 * A packer seen through the ordering-strategy interface, for the code that loads lengths and
 * fingerprints plans: total tokens, modality sign kept, every length ≥ 1 in magnitude. Its
 * `planEpoch` refuses: a packed plan comes from `planPackedEpoch`.
 */
export function packerAsStrategy(packer: PackingStrategy<PackedSpec>): Strategy<CommonSpec> {
  return {
    id: packer.id,
    summary: packer.summary,
    specSchema: packer.specSchema as never,
    defaultLengthColumn: 'total',
    usesModalitySign: true,
    validateLengths: (lengths, field) => validateLengths(lengths, { allowNegative: true }, field),
    planEpoch: () => {
      throw new InvalidInputError('spec.packing', `${packer.id} plans packs (planPackedEpoch), not fixed batches`);
    },
  };
}
