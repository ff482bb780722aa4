import type { Command } from 'commander';
import { reshardPlan } from '../../run/plan/reshard-plan.js';
import { openStore } from '../../io/open-store.js';
import { readJsonFile } from '../read-json-file.js';
import { fileLocation } from '../split-location.js';
import { intOption } from '../parse-int-option.js';

/** `megashard reshard`: continue an epoch on a different world size (elastic resume). */
export function registerReshardCommand(program: Command): void {
  program
    .command('reshard')
    .description(
      'Continue an epoch of a written plan on a new world size: the samples the epoch still owes after ' +
        '--consumed-steps micro-steps are planned with balanced@1 for the new spec (no sample repeated or lost); ' +
        'a packed epoch (spec with "packing") keeps its remaining packs and lays them out again with balanced-pack@1.',
    )
    .requiredOption('--plan <dir>', 'folder of the plan being resumed (holds manifest.json)')
    .requiredOption('--epoch <E>', 'epoch to continue', intOption('--epoch', 0))
    .requiredOption('--consumed-steps <K>', 'micro-steps every old rank finished', intOption('--consumed-steps', 0))
    .requiredOption('--index <lengths.arrow>', 'the length index the plan was made from')
    .requiredOption(
      '--spec <spec.json>',
      'the new world: {"seed","worldSize","perDeviceBatchSize",…} (strategy balanced), or {"seed","worldSize","packing":{…}} for a packed plan',
    )
    .requiredOption('--out <dir>', 'output folder for the continuation plan')
    .action(async (options: { plan: string; epoch: number; consumedSteps: number; index: string; spec: string; out: string }) => {
      const manifest = await reshardPlan({
        previous: { store: openStore(options.plan), prefix: '' },
        epoch: options.epoch,
        consumedSteps: options.consumedSteps,
        index: fileLocation(options.index),
        spec: await readJsonFile(options.spec, '--spec'),
        out: { store: openStore(options.out), prefix: '' },
      });
      process.stdout.write(
        `${JSON.stringify({ out: openStore(options.out).location, runFingerprint: manifest.runFingerprint, reshardOf: manifest.reshardOf })}\n`,
      );
    });
}
