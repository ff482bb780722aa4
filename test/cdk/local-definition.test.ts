/**
 * The definition `megashard run` executes is generated from the construct code (checked in, so the
 * CLI starts without aws-cdk-lib): it must be exactly what the construct renders today, and valid
 * for the interpreter (the runner skips the interpreter's 0.5–2 s validation because of this test).
 * Its equality with the deployed stack's ASL is asserted in pipeline-stack.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatLocalDefinitionModule } from '../../cdk/local-definition-module.js';
import { renderLocalPipelineDefinition } from '../../cdk/local-definition.js';
import { rewriteDistributedMaps } from '../../lib/local/distributed-map/rewrite.js';
import { loadInterpreter } from '../../lib/local/load-interpreter.js';
import { PIPELINE_DEFINITION } from '../../lib/run/pipeline/pipeline-definition.generated.js';

describe('local pipeline definition', () => {
  it('is what cdk/state-machine.ts renders now (else run `npx tsx cdk/write-local-definition.ts`)', async () => {
    const rendered = renderLocalPipelineDefinition();
    expect(PIPELINE_DEFINITION).toEqual(rendered);
    const source = await readFile(new URL('../../lib/run/pipeline/pipeline-definition.generated.ts', import.meta.url), 'utf8');
    expect(source).toBe(formatLocalDefinitionModule(rendered));
  });

  it("passes the interpreter's validation (schema, JSONPaths, ARNs), as run with the map shim and inside the map", async () => {
    const { StateMachine } = await loadInterpreter();
    const { definition, maps } = rewriteDistributedMaps(PIPELINE_DEFINITION);
    expect([...maps.keys()]).toEqual(['HashSources', 'ListImageFolders', 'TokenizeChunks', 'RouteTokens', 'AssembleShards', 'AuditShards']);
    expect(() => new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } })).not.toThrow();
    for (const map of maps.values()) {
      const { StartAt, States } = map.ItemProcessor as { StartAt: string; States: object };
      expect(() => new StateMachine({ StartAt, States } as never, { validationOptions: { checkArn: true, checkPaths: true } })).not.toThrow();
    }
  });
});
