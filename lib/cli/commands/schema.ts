import type { Command } from 'commander';
import { datasetJsonSchema } from '../../core/dataset/dataset-json-schema.js';

/** `megashard schema`: print the JSON Schema of dataset.json (docs/dataset.schema.json is this output). */
export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of dataset.json (draft 2020-12), generated from the validating zod schemas.')
    .action(() => {
      process.stdout.write(`${JSON.stringify(datasetJsonSchema(), null, 2)}\n`);
    });
}
