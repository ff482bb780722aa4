import { Command, CommanderError } from 'commander';
import { registerSamplerReplayCommand } from './commands/sampler-replay.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerReshardCommand } from './commands/reshard.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerSynthCommand } from './commands/synth.js';
import { registerTokenizeCommand } from './commands/tokenize.js';
import { registerRunCommand } from './commands/run.js';
import { registerShardsCommand } from './commands/shards.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerPullCommand } from './commands/pull.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerStatusCommand } from './commands/status.js';
import { registerWatchCommand } from './commands/watch.js';
import { reportError } from './report-error.js';

/** Build the `megashard` command tree (exported for tests that drive the CLI in-process). */
export function buildProgram(): Command {
  const program = new Command('megashard')
    .description('Plan deterministic, length-grouped, per-rank training shards ahead of training, with an audit.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemoCommand(program);
  registerSynthCommand(program);
  registerTokenizeCommand(program);
  registerRunCommand(program);
  registerRunsCommand(program);
  registerStatusCommand(program);
  registerWatchCommand(program);
  registerPlanCommand(program);
  registerShardsCommand(program);
  registerReshardCommand(program);
  registerSamplerReplayCommand(program);
  registerSchemaCommand(program);
  registerPullCommand(program);
  registerAuditCommand(program);
  registerBenchCommand(program);
  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    return reportError(error);
  }
}
