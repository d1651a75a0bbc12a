// Reads a whole custom-format archive with pg_restore and checks every table's data is there.
import type { Readable } from 'node:stream';
import type { Manifest } from '../../manifest/manifest.js';
import { ExitCode, UserError } from '../../errors.js';
import { runIntoTool } from '../../pipeline/pipeline.js';
import { startTool, stdinOf, type Spawn } from '../../process/run-tool.js';
import type { ToolFailure } from '../../process/tool-error.js';
import { ToolError } from '../../process/tool-error.js';
import type { StructureReport } from '../engine.js';

/** Options of {@link checkArchive}. */
export interface CheckArchiveOptions {
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  input: Readable;
  manifest: Manifest;
}

const entryLine = /^pg_restore: (?:creating|processing|executing) /;
const dataLine =
  /^pg_restore: (?:processing data for table|creating MATERIALIZED VIEW DATA) "(.*)"$/;

/**
 * Converts the archive to a script sent to /dev/null: pg_restore then reads every block, so a
 * cut or damaged archive fails. Its verbose log names each table whose data it read.
 */
export async function checkArchive({
  spawn,
  env,
  input,
  manifest,
}: CheckArchiveOptions): Promise<StructureReport> {
  let entries = 0;
  const tablesWithData = new Set<string>();
  let partial = '';

  const run = startTool({
    spawn,
    tool: 'pg_restore',
    args: ['--verbose', '--file=/dev/null'],
    env,
    stdin: 'pipe',
    stdout: 'ignore',
    classify: archiveFailure,
    onStderr: (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (entryLine.test(line)) entries += 1;
        const table = dataLine.exec(line)?.[1];
        if (table !== undefined) tablesWithData.add(table);
      }
    },
  });

  await runIntoTool({
    source: input,
    stages: [],
    sink: stdinOf(run),
    parts: [{ name: 'pg_restore', done: run.done }],
    tool: run.done,
  });

  const missingTables = manifest.fingerprint.tables
    .map((t) => `${t.schema}.${t.name}`)
    .filter((name) => !tablesWithData.has(name));
  return { entries, tablesWithData: tablesWithData.size, missingTables };
}

function archiveFailure(failure: ToolFailure): Error {
  return new ToolError(failure, {
    code: ExitCode.data,
    hint: 'The archive is truncated or damaged; restore from another backup.',
  });
}

/** Fails with a data error when the report shows tables without data. */
export function assertComplete(report: StructureReport): void {
  if (report.missingTables.length === 0) return;
  throw new UserError(`archive lacks data for ${report.missingTables.length} table(s)`, {
    code: ExitCode.data,
    hint: `Missing: ${report.missingTables.slice(0, 10).join(', ')}.`,
  });
}
