// Prints a command's result as a table for people, or as JSON or CSV for scripts.
import { ExitCode, UserError } from '../errors.js';
import type { CommandContext } from './context.js';
import { flagOption, stringOption } from './context.js';
import { formatTable } from './table.js';

/** One column: its header, the cell for people and the raw value for scripts. */
export interface Column<T> {
  header: string;
  text(row: T): string;
  raw(row: T): string | number | boolean | null;
}

/** The output formats of `--format`. */
export type ResultFormat = 'table' | 'json' | 'csv';

/** The format the options ask for; `--json` means `--format json`. */
export function formatOf(ctx: CommandContext): ResultFormat {
  if (flagOption(ctx, 'json')) return 'json';
  const format = stringOption(ctx, 'format') ?? 'table';
  if (format === 'table' || format === 'json' || format === 'csv') return format;
  throw new UserError(`unknown format '${format}'`, {
    code: ExitCode.usage,
    hint: 'Use --format table, --format json or --format csv.',
  });
}

/** What {@link present} prints. */
export interface Presentation<T> {
  /** The JSON result (a `command` field and the data). */
  data: Record<string, unknown>;
  rows: readonly T[];
  columns: readonly Column<T>[];
  /** Lines printed above the table (table format only). */
  heading?: readonly string[];
  /** Lines printed below the table (table format only). */
  footer?: readonly string[];
}

/** Prints rows in the chosen format. */
export function present<T>(ctx: CommandContext, p: Presentation<T>): void {
  const format = formatOf(ctx);
  if (format === 'json' && ctx.output.mode !== 'json') {
    ctx.output.result(p.data, [JSON.stringify({ type: 'result', ...p.data })]);
    return;
  }
  if (format === 'csv') {
    const lines = [p.columns.map((c) => c.header.toLowerCase().replace(/ /g, '_'))]
      .concat(p.rows.map((row) => p.columns.map((c) => csvCell(c.raw(row)))))
      .map((cells) => cells.join(','));
    ctx.output.result(p.data, lines);
    return;
  }
  const table =
    p.rows.length === 0
      ? ['(none)']
      : formatTable(
          p.columns.map((c) => c.header),
          p.rows.map((row) => p.columns.map((c) => c.text(row))),
        );
  ctx.output.result(p.data, [...(p.heading ?? []), ...table, ...(p.footer ?? [])]);
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, line break or edge space. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
