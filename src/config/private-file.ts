// Refuses a password file that users other than its owner can read.
import * as fs from 'node:fs/promises';
import { ExitCode, UserError } from '../errors.js';

/**
 * Throws a configuration error (78) when `path` exists and its group or others have any
 * access to it, or another user owns it: a password there is not a secret. A missing file
 * passes; `what` names the file in the message, e.g. 'option file'.
 */
export async function assertPrivateFile(path: string, what: string): Promise<void> {
  let info: Awaited<ReturnType<typeof fs.stat>>;
  try {
    info = await fs.stat(path);
  } catch {
    return;
  }
  const foreign = process.getuid !== undefined && info.uid !== process.getuid();
  if ((info.mode & 0o077) === 0 && !foreign) return;
  const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
  throw new UserError(`${what} '${path}' holds a password but has mode ${mode}`, {
    code: ExitCode.config,
    hint: `Make it private to its owner: chmod 600 '${path}'.`,
  });
}
