import { z } from 'zod';
import { datasetConfigSchema } from './dataset-config.js';
import { listStrategies } from '../strategies/registry.js';
import { listPackingStrategies } from '../packing/packing-registry.js';

type JsonSchema = Record<string, unknown>;

/** Seeds are bigint inside; in JSON they are an integer or, above 2^53, a decimal string. */
const SEED_JSON_SCHEMA: JsonSchema = {
  description: 'The one seed shared by every rank, in [0, 2^64); a decimal string above 2^53.',
  anyOf: [
    { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    { type: 'string', pattern: '^[0-9]{1,20}$' },
  ],
};

/** What a user may write (defaults optional): the input side of the zod schemas. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if ((ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def.type === 'bigint') Object.assign(ctx.jsonSchema, { type: 'integer' });
    },
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** One strategy's spec: its `strategy` field pinned to its own id or bare name. */
function strategySpecSchema(id: string, specSchema: z.ZodType, isDefault: boolean): JsonSchema {
  const json = inputSchema(specSchema);
  const properties = json.properties as Record<string, JsonSchema>;
  const name = id.split('@')[0]!;
  properties.strategy = { ...properties.strategy, type: 'string', enum: [name, id] };
  properties.seed = SEED_JSON_SCHEMA;
  const required = ((json.required as string[] | undefined) ?? []).filter((key) => key !== 'strategy');
  return {
    title: id,
    ...json,
    required: isDefault ? required : [...required, 'strategy'],
  };
}

/**
 * One packer's packed spec: `packing` required, its `strategy` pinned to the packer (optional for
 * the default one); a top-level `strategy` may only name the packer too.
 */
function packedSpecSchema(id: string, specSchema: z.ZodType, isDefault: boolean): JsonSchema {
  const json = inputSchema(specSchema);
  const properties = json.properties as Record<string, JsonSchema>;
  const name = id.split('@')[0]!;
  properties.strategy = { type: 'string', enum: [name, id], description: 'Optional: the packer may be named here instead of in packing.strategy.' };
  properties.seed = SEED_JSON_SCHEMA;
  const block = properties.packing as JsonSchema & { properties: Record<string, JsonSchema>; required?: string[] };
  block.properties.strategy = { ...block.properties.strategy, type: 'string', enum: [name, id] };
  block.required = (block.required ?? []).filter((key) => key !== 'strategy' || !isDefault);
  if (!isDefault && !block.required.includes('strategy')) block.required.push('strategy');
  const required = ((json.required as string[] | undefined) ?? []).filter((key) => key !== 'strategy');
  return { title: `${id} (packing)`, ...json, required: required.includes('packing') ? required : [...required, 'packing'] };
}

/**
 * The JSON Schema (draft 2020-12) of `dataset.json`, generated from the zod schemas that validate
 * it, so editors and CI can check a dataset before uploading it. The shard spec is one schema per
 * strategy (zod checks it in a second step, by the strategy it names).
 */
export function datasetJsonSchema(): JsonSchema {
  const json = inputSchema(datasetConfigSchema);
  const properties = json.properties as Record<string, JsonSchema>;
  properties.shard = {
    description:
      'The shard spec; `strategy` picks which fields apply (docs/strategies.md). Omitted strategy = balanced; with `packing`, packing.strategy picks the packer (default balanced-pack).',
    anyOf: [
      ...listStrategies().map((strategy, i) => strategySpecSchema(strategy.id, strategy.specSchema as z.ZodType, i === 0)),
      ...listPackingStrategies().map((packer, i) => packedSpecSchema(packer.id, packer.specSchema as z.ZodType, i === 0)),
    ],
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://megashard.dev/schemas/dataset.schema.json',
    title: 'megashard dataset.json',
    ...json,
  };
}
