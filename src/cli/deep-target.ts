// Where `verify --deep` restores: the configured server, or a temporary PostgreSQL instance.
import type { DumpEngine } from '../engines/engine.js';
import { startTempInstance } from '../engines/postgres/temp-instance.js';
import { majorOf } from '../engines/postgres/tools.js';
import { createEngine } from '../engines/registry.js';
import { ExitCode, UserError } from '../errors.js';
import type { Manifest } from '../manifest/manifest.js';
import { engineOf, stringOption, type CommandContext } from './context.js';

/** A server to restore into, how to name it, and how to let it go. */
export interface DeepTarget {
  engine: DumpEngine;
  where: string;
  /** A temporary instance has none of the backup's roles. */
  noOwner: boolean;
  close(): Promise<void>;
}

/** Opens the target `--instance` names; `close` stops and removes a temporary instance. */
export async function openDeepTarget(ctx: CommandContext, manifest: Manifest): Promise<DeepTarget> {
  const instance = stringOption(ctx, 'instance') ?? 'server';
  if (instance === 'server') return configuredServer(ctx, manifest);
  if (instance !== 'temp') {
    throw new UserError(`unknown --instance '${instance}'`, {
      code: ExitCode.usage,
      hint: 'Use --instance server (the configured server) or --instance temp.',
    });
  }
  if (manifest.engine !== 'postgres') {
    throw new UserError(`--instance temp is not available for ${manifest.engine} backups`, {
      code: ExitCode.usage,
      hint: 'Use --instance server to restore into a throwaway database on the configured server.',
    });
  }

  const temp = await startTempInstance({
    spawn: ctx.spawn,
    env: ctx.env,
    major: majorOf(manifest.server.version),
  });
  const engine = createEngine('postgres', {
    connection: temp.connection,
    spawn: ctx.spawn,
    env: ctx.env,
  });
  const close = async () => {
    await engine.close().catch(() => undefined);
    await temp.stop();
  };
  return { engine, where: temp.description, noOwner: true, close };
}

function configuredServer(ctx: CommandContext, manifest: Manifest): DeepTarget {
  const engine = engineOf(ctx);
  if (engine.type !== manifest.engine) {
    throw new UserError(
      `backup is a ${manifest.engine} dump but --db-type selects ${engine.type}`,
      {
        code: ExitCode.usage,
        hint: `Pass --db-type ${manifest.engine} and that server's connection, or --instance temp.`,
      },
    );
  }
  return { engine, where: 'the configured server', noOwner: false, close: () => engine.close() };
}
