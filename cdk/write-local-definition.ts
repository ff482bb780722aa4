/**
 * Regenerate lib/local/pipeline-definition.generated.ts from the construct code:
 *   npx tsx cdk/write-local-definition.ts
 * Run it after changing cdk/state-machine.ts; test/cdk/local-definition.test.ts fails until then.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { formatLocalDefinitionModule } from './local-definition-module.js';
import { renderLocalPipelineDefinition } from './local-definition.js';

const target = fileURLToPath(new URL('../lib/run/pipeline/pipeline-definition.generated.ts', import.meta.url));
await writeFile(target, formatLocalDefinitionModule(renderLocalPipelineDefinition()));
process.stdout.write(`wrote ${target}\n`);
