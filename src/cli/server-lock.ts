// Takes the per-server lock on the backup directory for a backup command.
import type { DumpEngine } from '../engines/engine.js';
import { acquireLock, type HeldLock } from '../jobs/lock.js';
import type { StorageTarget } from '../storage/storage.js';
import { numberOption, type CommandContext } from './context.js';

/**
 * Prepares the backup directory and locks it for the engine's server, waiting up to
 * --lock-timeout seconds for another run. The caller releases the lock in `finally`.
 */
export async function lockServer(
  ctx: CommandContext,
  engine: DumpEngine,
  storage: StorageTarget,
  purpose: string,
): Promise<HeldLock> {
  await storage.prepare();
  const server = await engine.probeServer();
  return acquireLock({
    directory: storage.location,
    // The same server reached by socket and by TCP is one lock.
    key: `${engine.type} ${server.identity ?? server.host}`,
    timeoutMs: (numberOption(ctx, 'lock-timeout') ?? 0) * 1000,
    purpose,
  });
}
