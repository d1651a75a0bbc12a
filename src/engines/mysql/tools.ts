// Finds mariadb-dump / mysqldump and mariadb / mysql, and decides whether they fit a server.
import { captureTool, type Spawn } from '../../process/run-tool.js';
import type { ServerInfo, ToolInfo } from '../engine.js';

/** The two server families the engine serves. */
export type Flavour = 'mariadb' | 'mysql';

/** What `<tool> --version` said. */
export interface ToolBuild {
  version: string;
  flavour: Flavour;
}

/** A tool picked for a job, with its build when it was found. */
export interface PickedTool extends ToolInfo {
  build: ToolBuild | null;
}

/**
 * Reads the server version out of a `--version` line. MariaDB prints `Ver 10.19 Distrib
 * 10.11.19-MariaDB` (10.x) or `from 11.4.2-MariaDB, client 10.19` (11.x); MySQL 5.7 prints
 * `Distrib 5.7.44`, MySQL 8 `Ver 8.0.36 for Linux`.
 */
export function parseToolVersion(output: string): ToolBuild | null {
  const flavour: Flavour = /mariadb/i.test(output) ? 'mariadb' : 'mysql';
  const version =
    /Distrib (\d+\.\d+\.\d+)/.exec(output)?.[1] ??
    /from (\d+\.\d+\.\d+)-MariaDB/i.exec(output)?.[1] ??
    /Ver (\d+\.\d+\.\d+)/.exec(output)?.[1];
  return version === undefined ? null : { version, flavour };
}

/** Splits a server's VERSION() into flavour and the numeric version. */
export function parseServerVersion(text: string): { flavour: Flavour; version: string } {
  const version = /^(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? '0.0.0';
  return { flavour: /mariadb/i.test(text) ? 'mariadb' : 'mysql', version };
}

/** Compares two versions by major and minor: negative when `a` is older. */
export function compareMinor(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 === b1 ? a2 - b2 : a1 - b1;
}

/** Tool names to try, best first: MariaDB ships mariadb-dump with mysqldump as a symlink. */
export function candidates(flavour: Flavour, role: 'dump' | 'client'): string[] {
  if (flavour === 'mysql') return role === 'dump' ? ['mysqldump'] : ['mysql'];
  return role === 'dump' ? ['mariadb-dump', 'mysqldump'] : ['mariadb', 'mysql'];
}

/**
 * Decides whether a build serves a server: the same family (MySQL's tools and MariaDB's
 * diverged: GTIDs, system tables, the MariaDB sandbox line) and no older major.minor.
 */
export function fitTool(
  name: string,
  build: ToolBuild | null,
  server: Pick<ServerInfo, 'flavour' | 'version'>,
): PickedTool {
  if (build === null) return { name, version: null, fits: false, note: 'not found on PATH', build };
  const serverName = server.flavour === 'mariadb' ? 'MariaDB' : 'MySQL';
  if (build.flavour !== server.flavour) {
    const own = build.flavour === 'mariadb' ? 'MariaDB' : 'MySQL';
    const note = `${name} is ${own}'s build ${build.version} and cannot serve ${serverName} ${server.version}`;
    return { name, version: build.version, fits: false, note, build };
  }
  if (compareMinor(build.version, server.version) < 0) {
    const note = `${name} ${build.version} is older than the server (${serverName} ${server.version})`;
    return { name, version: build.version, fits: false, note, build };
  }
  return { name, version: build.version, fits: true, build };
}

/** Reads a tool's `--version`; null when it is missing or says something unexpected. */
export async function probeBuild(
  spawn: Spawn,
  env: NodeJS.ProcessEnv,
  tool: string,
): Promise<ToolBuild | null> {
  try {
    return parseToolVersion(await captureTool({ spawn, env, tool, args: ['--version'] }));
  } catch {
    return null;
  }
}

/** Picks the first candidate that fits; otherwise the first one found, to say why not. */
export async function pickTool(
  spawn: Spawn,
  env: NodeJS.ProcessEnv,
  server: Pick<ServerInfo, 'flavour' | 'version'>,
  role: 'dump' | 'client',
): Promise<PickedTool> {
  const flavour = server.flavour === 'mariadb' ? 'mariadb' : 'mysql';
  const names = candidates(flavour, role);
  const picked = await Promise.all(
    names.map(async (name) => fitTool(name, await probeBuild(spawn, env, name), server)),
  );
  return (
    picked.find((t) => t.fits) ??
    picked.find((t) => t.build !== null) ?? { ...fitTool(names[0] ?? role, null, server) }
  );
}
