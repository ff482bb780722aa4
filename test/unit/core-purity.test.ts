import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = new URL('../../lib/core/', import.meta.url).pathname;

/**
 * What the import-level check (`npm run lint:deps`, .dependency-cruiser.cjs) cannot see: globals
 * that reach the world or make outputs depend on when and where they ran.
 */
const IMPURE_GLOBALS: readonly [RegExp, string][] = [
  [/\bprocess\./, 'process (env, argv, cwd…)'],
  [/\bDate\.now\b|\bnew Date\(\s*\)/, 'the clock'],
  [/\bperformance\./, 'the clock'],
  [/\bMath\.random\b/, 'Math.random (seeds are explicit; the RNG is ours)'],
  [/\b(setTimeout|setInterval|setImmediate)\(/, 'timers'],
  [/\bfetch\(/, 'the network'],
  [/\brequire\(/, 'require (modules are imported, and checked)'],
];

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

/** Code without its comments (a comment may name what the code avoids). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('lib/core is pure', () => {
  it('uses no clock, environment, timer, network or Math.random', async () => {
    const offences: string[] = [];
    const files = await sourcesUnder(CORE);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const code = withoutComments(await readFile(file, 'utf8'));
      for (const [pattern, what] of IMPURE_GLOBALS) if (pattern.test(code)) offences.push(`${file.slice(CORE.length)}: ${what}`);
    }
    expect(offences).toEqual([]);
  });
});
