import type { Command } from 'commander';
import { planIndexFile } from '../../run/plan/plan-index-file.js';
import { openStore } from '../../io/open-store.js';
import { readJsonFile } from '../read-json-file.js';
import { fileLocation } from '../split-location.js';
import { listStrategies } from '../../core/strategies/registry.js';
import { listPackingStrategies } from '../../core/packing/packing-registry.js';

/** `megashard plan --index <lengths.arrow> --spec <spec.json> --out <dir>`. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      'Plan every epoch of a shard spec over a length index: one Arrow file per rank per epoch ' +
        '(sample ids in order, step, slot, length, padding flag) and manifests with sha256 of every file.',
    )
    .requiredOption('--index <lengths.arrow>', 'length index (Arrow IPC file written by megashard)')
    .requiredOption('--spec <spec.json>', 'shard spec: {"strategy","seed","epochs","worldSize","perDeviceBatchSize",…}')
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .addHelpText(
      'after',
      `\nStrategies:\n${listStrategies()
        .map((s) => `  ${s.id.padEnd(34)} ${s.summary}`)
        .join('\n')}\n\nPacking strategies (spec "packing": {"strategy","maxTokens",…}; one pack per rank per step):\n${listPackingStrategies()
        .map((s) => `  ${s.id.padEnd(34)} ${s.summary}`)
        .join('\n')}\n`,
    )
    .action(async (options: { index: string; spec: string; out: string }) => {
      const spec = await readJsonFile(options.spec, '--spec');
      const manifest = await planIndexFile({
        index: fileLocation(options.index),
        spec,
        out: { store: openStore(options.out), prefix: '' },
        onEpoch: (epoch) =>
          process.stderr.write(
            `epoch ${epoch.epoch}: ${epoch.files.length} rank files, ${epoch.counts.stepsPerRank} steps per rank, ` +
              `${epoch.counts.paddingEntries} padding, ${epoch.counts.droppedSamples} ${epoch.packing ? 'rejected' : 'dropped'}` +
              (epoch.packing ? `, packing efficiency ${(epoch.packing.efficiency * 100).toFixed(2)}%` : '') +
              '\n',
          ),
      });
      process.stdout.write(
        `${JSON.stringify({ out: openStore(options.out).location, runFingerprint: manifest.runFingerprint, strategy: manifest.strategyId, epochs: manifest.epochs.length })}\n`,
      );
    });
}
