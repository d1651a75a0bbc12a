// Parses argv, wires the real objects, runs one command and maps errors to exit codes.
import type { Writable } from 'node:stream';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Clock } from '../clock.js';
import { appliesTo, optionSpecs, type OptionSpec } from '../config/options.js';
import { Secret } from '../config/secret.js';
import { ExitCode } from '../errors.js';
import { createOutput } from '../events/output.js';
import type { Spawn } from '../process/run-tool.js';
import type { CommandSpec } from './command.js';
import type { Terminal } from './context.js';
import { allCommands } from './commands/all.js';
import { createContext, type FlagValue } from './create-context.js';
import { reportError, version } from './report.js';

/** Everything a run reads from or writes to the outside world. */
export interface RunInput {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  /** The user's terminal streams, for `interactive`; absent in tests that capture output. */
  terminal?: Terminal;
  spawn?: Spawn;
  clock?: Clock;
  /** Aborted on SIGINT/SIGTERM by the caller; the run then stops cleanly. */
  signal?: AbortSignal;
  home?: string;
}

/** Runs the CLI and returns the exit code. */
export async function run(input: RunInput): Promise<number> {
  const { argv, stdout, stderr } = input;
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(input, (code) => (exitCode = code));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      stderr.write('hint: Run `dbbackup --help` or `dbbackup COMMAND --help` for the usage.\n');
      return ExitCode.usage;
    }
    const json = argv.includes('--json');
    return reportError({ stderr, stdout, error, argv, secrets: [], json });
  }
}

function buildProgram(input: RunInput, setExit: (code: number) => void): Command {
  const program = new Command('dbbackup')
    .description('Backup and restore for PostgreSQL, MySQL and MariaDB')
    .version(version, '-V, --version')
    .showSuggestionAfterError();
  configure(program, input);

  const groups = new Map<string, Command>();
  for (const spec of allCommands) {
    const words = spec.name.split(' ');
    let parent = program;
    for (const word of words.slice(0, -1)) {
      const path = `${parent.name()} ${word}`;
      let group = groups.get(path);
      if (group === undefined) {
        group = configure(parent.command(word).description(`${word} commands`), input);
        groups.set(path, group);
      }
      parent = group;
    }
    addCommand(parent, spec, input, setExit);
  }
  return program;
}

// Secret options are never flags, so --help would not show them: say where they go.
const secretsHelp = `
Passwords and connection URLs are never flags: set PGPASSWORD or MYSQL_PWD, ~/.pgpass or
~/.my.cnf, DBBACKUP_URL (postgresql://, mysql://, mariadb://, percent-encoded), or "password"
/ "url" in a 0600 config file. \`dbbackup config show\` prints what is in effect.`;

function configure(command: Command, { stdout, stderr }: RunInput): Command {
  return command
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
}

function addCommand(
  parent: Command,
  spec: CommandSpec,
  input: RunInput,
  setExit: (code: number) => void,
): void {
  const command = configure(parent.command(spec.name.split(' ').at(-1) ?? spec.name), input);
  command.description(spec.description);
  if (spec.aliases !== undefined) command.aliases([...spec.aliases]);
  for (const arg of spec.args)
    command.argument(arg.required ? `<${arg.name}>` : `[${arg.name}]`, arg.description);

  const specs = optionSpecs.filter(
    (o) => o.secret !== true && appliesTo(o, spec.name, spec.usesServer),
  );
  if (spec.usesServer) command.addHelpText('after', secretsHelp);
  const options = specs.map((spec) => ({ spec, option: toOption(spec) }));
  for (const { option } of options) command.addOption(option);

  command.action(async (...params: unknown[]) => {
    const positional = params
      .slice(0, spec.args.length)
      .map((p) => (typeof p === 'string' ? p : ''));
    const flags: Record<string, FlagValue> = {};
    for (const { spec: option, option: parsed } of options) {
      const attr = parsed.attributeName();
      if (command.getOptionValueSource(attr) !== 'cli') continue;
      flags[option.key] = flagValue(option, command.getOptionValue(attr));
    }
    setExit(await runCommand(spec, flags, positional, input));
  });
}

async function runCommand(
  spec: CommandSpec,
  flags: Record<string, FlagValue>,
  positional: string[],
  input: RunInput,
): Promise<number> {
  const { env, stdout, stderr } = input;
  let secrets: (Secret | undefined)[] = [];
  let json = flags.json === true;
  try {
    const signal = input.signal ?? new AbortController().signal;
    const made = await createContext({
      flags,
      env,
      home: input.home,
      spawn: input.spawn,
      clock: input.clock,
      signal,
      terminal: input.terminal,
      outputFor: (config) => {
        json = config.values.get('json') === true;
        const mode = json ? 'json' : config.values.get('quiet') === true ? 'quiet' : 'text';
        return createOutput({ mode, stdout, stderr });
      },
    });
    secrets = made.secrets;
    const { ctx } = made;
    try {
      return await spec.run(ctx, positional);
    } finally {
      ctx.output.flush();
    }
  } catch (error) {
    if (input.signal?.aborted === true) {
      stderr.write(
        'error: interrupted; child processes were stopped and temporary files removed\n',
      );
      return ExitCode.interrupted;
    }
    return reportError({ stderr, stdout, error, argv: input.argv, secrets, json });
  }
}

function toOption(spec: OptionSpec): Option {
  const name = spec.flag ?? spec.key;
  const flag = spec.negatable === true ? `--no-${name}` : `--${name}`;
  const text = spec.type === 'boolean' ? flag : `${flag} <${spec.value ?? 'VALUE'}>`;
  const envNames = Object.values(spec.env ?? {}).join(', ');
  const description = envNames === '' ? spec.description : `${spec.description} [env ${envNames}]`;
  const option = new Option(text, description);
  if (spec.type === 'number') option.argParser(parseWholeNumber);
  if (spec.type === 'list') option.argParser(collect);
  return option;
}

// Commander reads any `--no-X` flag as the negation of X (attribute `x`, value false), so a
// plain boolean whose key starts with `no-` (`--no-owner`) arrives inverted.
function flagValue(spec: OptionSpec, value: unknown): FlagValue {
  const isInverted =
    spec.type === 'boolean' && spec.negatable !== true && spec.key.startsWith('no-');
  return isInverted ? value === false : (value as FlagValue);
}

function collect(value: string, previous: readonly string[] | undefined): readonly string[] {
  return [...(previous ?? []), value];
}

function parseWholeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}
