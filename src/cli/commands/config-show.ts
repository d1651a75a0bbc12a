// `dbbackup config show`: the effective options and where each came from.
import { ExitCode } from '../../errors.js';
import { optionSpecs } from '../../config/options.js';
import { Secret } from '../../config/secret.js';
import type { CommandSpec } from '../command.js';
import { formatTable } from '../table.js';

/** The command. */
export const configShowCommand: CommandSpec = {
  name: 'config show',
  description: 'print the effective options and their sources (secrets redacted)',
  args: [],
  usesServer: true,
  run(ctx) {
    const { values, sources, configPath } = ctx.config;
    const rows = optionSpecs
      .filter((spec) => values.has(spec.key) || spec.scope === 'connection')
      .map((spec) => {
        const value = values.get(spec.key);
        const shown =
          value instanceof Secret ? '[redacted]' : value === undefined ? '-' : String(value);
        return { option: spec.key, value: shown, source: sources.get(spec.key) ?? 'unset' };
      });
    ctx.output.result({ command: 'config show', configFile: configPath ?? null, options: rows }, [
      `config file: ${configPath ?? 'none'}`,
      ...formatTable(
        ['OPTION', 'VALUE', 'SOURCE'],
        rows.map((r) => [r.option, r.value, r.source]),
      ),
    ]);
    return Promise.resolve(ExitCode.ok);
  },
};
