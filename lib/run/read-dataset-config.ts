import { InvalidInputError } from '../core/errors.js';
import { resolveDatasetConfig } from '../core/dataset/dataset-config.js';
import type { ObjectStore } from '../io/object-store.js';

/** The dataset's `dataset.json`, parsed and validated (errors name the file and the field). */
export async function readDatasetConfig(store: ObjectStore) {
  const where = `${store.location}/dataset.json`;
  const text = new TextDecoder().decode(await store.get('dataset.json'));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(where, `is not valid JSON: ${(error as Error).message}`);
  }
  return resolveDatasetConfig(value, where);
}
