// `dbbackup status`: server, client tools, backup directory and free space.
import * as fs from 'node:fs/promises';
import { ExitCode, isUserError } from '../../errors.js';
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
      await storage.prepare();
      const space = await fs.statfs(storage.location);
      const free = space.bavail * space.bsize;
      result.backupDir = { path: storage.location, writable: true, freeBytes: free };
      lines.push(`backup dir  ${storage.location}: writable, ${formatBytes(free)} free`);
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
