import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';

/** Read and parse a JSON file, naming the file (and the flag it came from) in any error. */
export async function readJsonFile(path: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(flag, `cannot read "${path}"${code ? ` (${code})` : ''}; check the path`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError(flag, `"${path}" is not valid JSON: ${(error as Error).message}`);
  }
}
