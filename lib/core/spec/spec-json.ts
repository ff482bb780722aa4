import { seedToJson } from './seed.js';
import type { CommonSpec } from '../strategies/strategy.js';

/** A resolved spec as JSON-safe data (bigint seed as number or decimal string), for manifests. */
export function specToJson(spec: CommonSpec): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (value === undefined) continue;
    json[key] = key === 'seed' ? seedToJson(value as bigint) : value;
  }
  return json;
}
