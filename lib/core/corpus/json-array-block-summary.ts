/**
 * What one block of a JSON-array source tells the chunk planner without the bytes before it: for
 * every scanner state the block could start in (a "start class"), the block's outcome from that
 * state — the state at its end, or the whole-file error it raises — and its cuts on the chunk grid.
 * HashSources computes one per block (json-array-block-speculation.ts) from the bytes it hashes;
 * Prepare composes them from byte 0 (compose-json-array-starts.ts).
 *
 * Size: one answer per distinct outcome, each with at most 1 + blockBytes / chunkBytes cuts;
 * nothing grows with the number of records in the block.
 */
import { z } from 'zod';
import type { ScannerState } from './json-array-scanner.js';

/** Versions the summary's definition: a change is a new format, never a silent change. */
export const JSON_ARRAY_BLOCK_SUMMARY_FORMAT = 'megashard-json-array-block/1';

/** Container depths at a block start that a summary answers one by one; a deeper one falls back to a whole scan. */
export const SUMMARY_DEPTH_CAP = 64;

const count = z.number().int().min(0);

const scannerStateSchema = z
  .object({
    phase: z.enum(['before-array', 'expect-first', 'expect-element', 'in-element', 'after-element', 'after-array']),
    depth: count,
    inString: z.boolean(),
    escaped: z.boolean(),
    scalar: z.boolean(),
    resynced: z.boolean(),
  })
  .strict();

/**
 * The block scanned from one start state. `cuts`: the first record boundary at or after the block
 * start, and for each grid point in the block the first boundary at or after it within the block
 * (none: the cut lies in a later block), ascending and distinct.
 */
export const blockRunAnswerSchema = z.union([
  z.object({ cuts: z.array(count), end: scannerStateSchema }).strict(),
  /** A whole-file error (no '[', content after ']'): its message, without the source name. */
  z.object({ fatal: z.string() }).strict(),
]);
export type BlockRunAnswer = z.infer<typeof blockRunAnswerSchema>;

/**
 * A block that starts inside a container element of some depth d ≥ 1 (in a given string state):
 * depths 1..depths.length end in the block (answer indices); depths up to `endedDepths` end in it
 * too but were not followed (beyond the cap: fall back); deeper ones stay open, with the depth
 * changed by `depthChange` and the string state `endsInString`/`endsEscaped` at the block's end.
 */
const containerFamilySchema = z
  .object({
    depths: z.array(count),
    endedDepths: count,
    depthChange: z.number().int(),
    endsInString: z.boolean(),
    endsEscaped: z.boolean(),
  })
  .strict();
export type ContainerFamily = z.infer<typeof containerFamilySchema>;

/** Start states other than inside a container, by name. */
export const START_CLASSES = [
  'before-array',
  'expect-first',
  'expect-element',
  'expect-element-resynced',
  'after-element',
  'after-array',
  'scalar',
  'string',
  'string-escaped',
] as const;
export type StartClass = (typeof START_CLASSES)[number];

/** The container families, by string state at the block start. */
export const CONTAINER_FAMILIES = ['outside-string', 'in-string', 'in-string-escaped'] as const;
export type ContainerFamilyName = (typeof CONTAINER_FAMILIES)[number];

const answerIndex = count.optional();

/** One block's summary, as HashSources records it beside the block's digest. */
export const jsonArrayBlockSummarySchema = z
  .object({
    format: z.literal(JSON_ARRAY_BLOCK_SUMMARY_FORMAT),
    chunkBytes: z.number().int().min(1),
    answers: z.array(blockRunAnswerSchema),
    /** Answer index per start class; block 0 has only 'before-array' (its real start state). */
    starts: z.object(Object.fromEntries(START_CLASSES.map((name) => [name, answerIndex])) as Record<StartClass, typeof answerIndex>).strict(),
    containers: z
      .object(Object.fromEntries(CONTAINER_FAMILIES.map((name) => [name, containerFamilySchema])) as Record<ContainerFamilyName, typeof containerFamilySchema>)
      .strict()
      .optional(),
  })
  .strict();
export type JsonArrayBlockSummary = z.infer<typeof jsonArrayBlockSummarySchema>;

/** Where a state falls among the summary's start classes. */
export type StartOf =
  | { readonly kind: 'class'; readonly name: StartClass }
  | { readonly kind: 'container'; readonly family: ContainerFamilyName; readonly depth: number };

/** The start class of a scanner state. */
export function startOfState(state: ScannerState): StartOf {
  if (state.phase === 'expect-element' && state.resynced) return { kind: 'class', name: 'expect-element-resynced' };
  if (state.phase !== 'in-element') return { kind: 'class', name: state.phase };
  if (state.scalar) return { kind: 'class', name: 'scalar' };
  if (state.depth === 0) return { kind: 'class', name: state.escaped ? 'string-escaped' : 'string' };
  const family = !state.inString ? 'outside-string' : state.escaped ? 'in-string-escaped' : 'in-string';
  return { kind: 'container', family, depth: state.depth };
}

/** The state a start class names (containers: see containerState). */
export function stateOfClass(name: StartClass): ScannerState {
  const between = { depth: 0, inString: false, escaped: false, scalar: false, resynced: false };
  switch (name) {
    case 'expect-element-resynced':
      return { ...between, phase: 'expect-element', resynced: true };
    case 'scalar':
      return { ...between, phase: 'in-element', scalar: true };
    case 'string':
    case 'string-escaped':
      return { ...between, phase: 'in-element', inString: true, escaped: name === 'string-escaped' };
    default:
      return { ...between, phase: name };
  }
}

/** Inside a container element of `depth` ≥ 1, in a family's string state. */
export function containerState(family: ContainerFamilyName, depth: number): ScannerState {
  return { phase: 'in-element', depth, inString: family !== 'outside-string', escaped: family === 'in-string-escaped', scalar: false, resynced: false };
}
