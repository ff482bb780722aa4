import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { replayGolden } from '../../core/replay/replay-golden.js';
import { replayPackingGolden } from '../../core/packing/replay-packing-golden.js';

/**
 * `megashard sampler-replay <file.json>`: run an upstream sampler (XTuner or LLaVA) on the inputs of
 * a golden-format file and print what it yields, so anyone can diff our parity modes against a run
 * of the real sampler.
 */
export function registerSamplerReplayCommand(program: Command): void {
  program
    .command('sampler-replay')
    .description(
      'Replay an upstream sampler on a golden-format JSON file ({"anchor","params","lengths"}; anchor ' +
        '"xtuner.LengthGroupedSampler" or "llava.LengthGroupedSampler"). Prints {"ranks":[[…],…]} ' +
        '(each rank\'s list, XTuner) or {"order":[…]} (the global order, LLaVA). An XTuner V1 packing ' +
        'file ("kind": "packing", ../shared/golden/packing/) prints {"packs":[[…],…],"pack_longest":[…]} ' +
        '(hard packing adds "start_offset" and "end_offset"); a pack sampler file ("kind": "sampler") prints ' +
        '{"ranks":[[…],…],"global_order":[…]}. Expected-output fields in the file are ignored.',
    )
    .argument('<file.json>', 'golden-format file, e.g. ../shared/golden/samplers/xtuner-mixed-small.json')
    .action(async (file: string) => {
      const input = parseJson(await readText(file), file);
      const result = isPackingGolden(input) ? replayPackingGolden(withoutOutputs(input), file) : replayGolden(input, file);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}

/** XTuner V1 packing-format files say what they are in `kind`; the sampler files of ../shared/golden/samplers/ have none. */
function isPackingGolden(input: unknown): input is Record<string, unknown> {
  const kind = (input as { kind?: unknown } | null)?.kind;
  return typeof input === 'object' && input !== null && (kind === 'packing' || kind === 'sampler' || kind === 'argsort');
}

/** Only the inputs reach the replay, so it cannot echo the expected outputs back. */
function withoutOutputs(input: Record<string, unknown>): Record<string, unknown> {
  const { kind, anchor, params, num_tokens, num_img_tokens, proxy_attn_flops, max_lengths } = input;
  return Object.fromEntries(
    Object.entries({ kind, anchor, params, num_tokens, num_img_tokens, proxy_attn_flops, max_lengths }).filter(([, v]) => v !== undefined),
  );
}

/** Read the file, turning I/O failures into an error that names it. */
async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(file, `cannot be read (${(error as Error).message}); pass a golden-format JSON file`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError(file, `is not valid JSON (${(error as Error).message})`);
  }
}
