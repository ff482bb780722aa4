import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { replayGolden } from '../../core/replay/replay-golden.js';

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
        '(each rank\'s list, XTuner) or {"order":[…]} (the global order, LLaVA). Expected-output ' +
        'fields in the file (ranks, order) are ignored.',
    )
    .argument('<file.json>', 'golden-format file, e.g. ../shared/golden/samplers/xtuner-mixed-small.json')
    .action(async (file: string) => {
      const input = parseJson(await readText(file), file);
      const result = replayGolden(input, file);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
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
