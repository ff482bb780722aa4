import { Option, type Command } from 'commander';
import { listRemoteRuns, type RemoteRunListing } from '../../run/remote/list-runs.js';
import { intOption } from '../parse-int-option.js';
import { addRemoteTargetOptions, remoteTargetOf, stepFunctionsFromEnvironment, type RemoteTargetFlags } from '../remote-options.js';

/** `megashard runs --on aws`: the deployed pipeline's recent executions. */
export function registerRunsCommand(program: Command): void {
  const command = program
    .command('runs')
    .description('List the recent executions of the deployed pipeline: name, status, run id, start and duration (newest first).')
    .addOption(new Option('--on <where>', 'where the runs are (aws: the deployed stack)').choices(['aws']).makeOptionMandatory())
    .addOption(new Option('--limit <N>', 'how many executions').argParser(intOption('--limit')).default(20))
    .option('--json', 'print one JSON object per execution', false);
  addRemoteTargetOptions(command);
  command.action(async (options: RemoteTargetFlags & { limit: number; json: boolean }) => {
    const target = await remoteTargetOf(options);
    const rows = await listRemoteRuns(stepFunctionsFromEnvironment(), target, options.limit);
    if (options.json) for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    else process.stdout.write(`${runsTable(rows).join('\n')}\n`);
  });
}

/** The executions as aligned columns, a header first. */
export function runsTable(rows: readonly RemoteRunListing[]): string[] {
  if (rows.length === 0) return ['no executions yet: upload a dataset (megashard run <folder> --on aws)'];
  const cells = [
    ['NAME', 'STATUS', 'RUN', 'STARTED', 'DURATION'],
    ...rows.map((row) => [row.name, row.status, row.runId ?? '-', row.startDate, `${(row.durationMs / 1000).toFixed(0)} s`]),
  ];
  const widths = (cells[0] ?? []).map((_, column) => Math.max(...cells.map((line) => (line[column] ?? '').length)));
  return cells.map((line) =>
    line
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
