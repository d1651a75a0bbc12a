// Finds the PostgreSQL client tools and decides whether they fit a server or a dump.
import { captureTool, type Spawn } from '../../process/run-tool.js';
import type { ServerInfo, ToolInfo } from '../engine.js';

/** Reads `<tool> --version`; null when the tool is missing or prints something unexpected. */
export async function toolVersion(
  spawn: Spawn,
  env: NodeJS.ProcessEnv,
  tool: string,
): Promise<string | null> {
  try {
    const out = await captureTool({ spawn, env, tool, args: ['--version'] });
    return /\)\s+(\d+(?:\.\d+)*)/.exec(out)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** The major version of a PostgreSQL version string (10+ numbering, or 9.x). */
export function majorOf(version: string): number {
  const [first = '0', second = '0'] = version.split('.');
  const major = Number(first);
  return major >= 10 ? major : Number(`${first}.${second}`);
}

/** Checks one tool against the server: a client older than the server cannot dump it. */
export function fitTool(name: string, version: string | null, server: ServerInfo): ToolInfo {
  if (version === null) {
    return { name, version, fits: false, note: 'not found on PATH' };
  }
  const fits = majorOf(version) >= server.major;
  return fits
    ? { name, version, fits }
    : {
        name,
        version,
        fits,
        note: `${name} ${version} is older than the server (${server.version})`,
      };
}
