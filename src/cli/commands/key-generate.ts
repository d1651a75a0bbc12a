// `dbbackup key generate [--output FILE]`: a new age identity (secret key) and its recipient.
import * as fs from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadAge } from '../../encryption/age-lib.js';
import { fingerprintOf } from '../../encryption/keys.js';
import { ExitCode, UserError, fileError } from '../../errors.js';
import type { CommandSpec } from '../command.js';
import { stringOption, type CommandContext } from '../context.js';

/** The command. */
export const keyGenerateCommand: CommandSpec = {
  name: 'key generate',
  description: 'write a new age identity file (0600) and print its public recipient',
  args: [],
  usesServer: false,
  async run(ctx) {
    const path = stringOption(ctx, 'output') ?? defaultIdentityPath(ctx);
    const { generateX25519Identity, identityToRecipient } = await loadAge();
    const identity = await generateX25519Identity();
    const recipient = await identityToRecipient(identity);
    const text = [
      `# created: ${ctx.clock.now().toISOString()}`,
      `# public key: ${recipient}`,
      identity,
      '',
    ].join('\n');
    await writeExclusive(path, text);

    ctx.output.emit({
      kind: 'step',
      text: `wrote identity to '${path}' (mode 0600); back it up and keep it off the backup host`,
    });
    const fingerprint = fingerprintOf(recipient);
    ctx.output.result(
      { command: 'key generate', ok: true, identityFile: path, recipient, fingerprint },
      [recipient],
    );
    return ExitCode.ok;
  },
};

function defaultIdentityPath(ctx: CommandContext): string {
  const home = ctx.env.HOME ?? homedir();
  return resolve(ctx.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'dbbackup', 'identity.txt');
}

/** Creates the file exclusively (O_EXCL: never over a key or a planted link), mode 0600. */
async function writeExclusive(path: string, text: string): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw fileError('create directory', dirname(path), error);
  });
  try {
    await fs.writeFile(path, text, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(`identity file '${path}' already exists`, {
        code: ExitCode.usage,
        hint: 'Choose another --output FILE; an identity that encrypted backups must never be overwritten.',
      });
    }
    throw fileError('write identity file', path, error);
  }
}
