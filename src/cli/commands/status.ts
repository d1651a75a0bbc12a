// `dbbackup status`: server, client tools, backup directory and free space.
import * as fs from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ExitCode, isUserError } from '../../errors.js';
import { probeWrite } from '../../storage/local/write-probe.js';
import { formatBytes } from '../../events/format.js';
import type { CommandSpec } from '../command.js';
import { engineOf, storageOf } from '../context.js';

/** The command. */
export const statusCommand: CommandSpec = {
  name: 'status',
  description: 'show whether the server, the client tools and the backup directory are ready',
  args: [],
  usesServer: true,
  async run(ctx) {
    const engine = engineOf(ctx);
    const storage = storageOf(ctx);
    const lines: string[] = [];
    let code: number = ExitCode.ok;
    const result: Record<string, unknown> = { command: 'status' };

    try {
      const server = await engine.probeServer();
      const tools = await engine.checkTools(server);
      result.server = { reachable: true, ...server };
      result.tools = tools;
      lines.push(`server      ${server.flavour} ${server.version} at ${server.host}: reachable`);
      for (const tool of tools) {
        const state = tool.fits ? 'ok' : `PROBLEM: ${tool.note ?? 'does not fit'}`;
        lines.push(`tool        ${tool.name} ${tool.version ?? '-'}: ${state}`);
        if (!tool.fits) code = ExitCode.config;
      }
    } catch (error) {
      if (!isUserError(error)) throw error;
      result.server = { reachable: false, error: error.message };
      lines.push(`server      unreachable: ${error.message}`);
      code = error.code;
    } finally {
      await engine.close();
    }

    try {
      const parent = await missingDirParent(storage.location);
      // A missing directory is not made here: its nearest parent must take a file instead.
      if (parent === undefined) await storage.prepare();
      else await probeWrite(parent, storage.location);
      const space = await fs.statfs(parent ?? storage.location);
      const free = space.bavail * space.bsize;
      const state =
        parent === undefined ? 'writable' : `missing, made by the first backup in '${parent}'`;
      result.backupDir = {
        path: storage.location,
        writable: true,
        exists: parent === undefined,
        freeBytes: free,
      };
      lines.push(`backup dir  ${storage.location}: ${state}, ${formatBytes(free)} free`);
    } catch (error) {
      if (!isUserError(error)) throw error;
      result.backupDir = { path: storage.location, writable: false, error: error.message };
      lines.push(`backup dir  ${storage.location}: ${error.message}`);
      if (code === ExitCode.ok) code = error.code;
    }

    ctx.output.result({ ...result, ok: code === ExitCode.ok }, lines);
    return code;
  },
};

/** The nearest existing ancestor of a missing directory; undefined when `path` exists. */
async function missingDirParent(path: string): Promise<string | undefined> {
  let dir = resolve(path);
  if (await exists(dir)) return undefined;
  while (!(await exists(dir)) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}
