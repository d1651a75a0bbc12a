// Applies a pg_dumpall globals script with psql, keeping roles and tablespaces that exist.
import { Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { runPipeline } from '../../pipeline/pipeline.js';
import { startTool, stdinOf } from '../../process/run-tool.js';
import type { EngineDeps, GlobalsRestoreReport } from '../engine.js';
import { takeSession } from '../sessions.js';
import { childEnv, connectionArgs, dbnameConninfo } from './conninfo.js';
import { classifyToolFailure } from './errors.js';

/** Options of {@link restorePgGlobals}. */
export interface RestorePgGlobalsOptions extends EngineDeps {
  input: Readable;
  maintenanceDb: string;
  /** Roles and tablespaces that exist on the target now. */
  existing: { roles: Set<string>; tablespaces: Set<string> };
}

// pg_dumpall writes each creation on one line of its own, the name as fmtId quotes it.
const identifier = '("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
const createRole = new RegExp(`^CREATE ROLE ${identifier};$`);
const createTablespace = new RegExp(`^CREATE TABLESPACE ${identifier} `);

/**
 * Runs the script with ON_ERROR_STOP. A `CREATE ROLE` (or `CREATE TABLESPACE`) for an object
 * that already exists becomes a comment: the `ALTER ROLE` after it then alters the existing
 * role, as a restore onto a server with its own bootstrap superuser needs. Every other error
 * fails the restore. A rerun after a failure finds the roles made so far and keeps them too.
 */
export async function restorePgGlobals(
  options: RestorePgGlobalsOptions,
): Promise<GlobalsRestoreReport> {
  const { connection, spawn, env, sessions, existing } = options;
  const kept: string[] = [];
  const filter = lineFilter((line) => {
    const role = createRole.exec(line)?.[1];
    if (role !== undefined && existing.roles.has(unquote(role))) {
      kept.push(`role '${unquote(role)}'`);
      return `-- role ${role} already exists: kept, and altered below`;
    }
    const space = createTablespace.exec(line)?.[1];
    if (space !== undefined && existing.tablespaces.has(unquote(space))) {
      kept.push(`tablespace '${unquote(space)}'`);
      return `-- tablespace ${space} already exists: kept`;
    }
    return line;
  });

  const release = await takeSession(sessions);
  try {
    const run = startTool({
      spawn,
      tool: 'psql',
      args: [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '--no-password',
        ...connectionArgs(connection),
        `--dbname=${dbnameConninfo(options.maintenanceDb)}`,
        '-f',
        '-',
      ],
      env: childEnv(connection, env),
      stdin: 'pipe',
      stdout: 'ignore',
      classify: classifyToolFailure,
    });
    await runPipeline({
      source: options.input,
      stages: [filter],
      sink: stdinOf(run),
      parts: [{ name: 'psql', done: run.done }],
    });
  } finally {
    release();
  }
  return { kept };
}

/** The name inside an identifier as pg_dumpall quotes it. */
export function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

function lineFilter(map: (line: string) => string): Transform {
  let partial = '';
  // A chunk may end inside a multi-byte character; the decoder holds it for the next one.
  const decoder = new StringDecoder('utf8');
  return new Transform({
    transform(chunk: Buffer, _encoding, next) {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop() ?? '';
      next(null, lines.map((line) => `${map(line)}\n`).join(''));
    },
    flush(next) {
      const rest = partial + decoder.end();
      next(null, rest === '' ? '' : map(rest));
    },
  });
}
