/**
 * The megashard CLI in a child process (from source, through tsx's loader), for what an in-process
 * run cannot show: being killed at an arbitrary point.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = `import(${JSON.stringify(new URL('../../lib/cli/main.ts', import.meta.url).href)}).then(async ({ main }) => { process.exitCode = await main(process.argv); });`;

/** Start `megashard <args…>` as a child process; its output is captured on `stdout`/`stderr`. */
export function spawnCli(args: readonly string[]): ChildProcess & { readonly output: { stdout: string; stderr: string } } {
  // argv[1] stands in for the script path, as main() expects ['node', 'megashard', …].
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, 'megashard', ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (output.stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (output.stderr += text));
  return Object.assign(child, { output });
}
