// Small text helpers for the screens: bars, ages, cutting to a width.

/** A bar of `width` cells, `fraction` of them full; plain characters, readable without colour. */
export function formatBar(fraction: number | null, width: number): string {
  const cells = Math.max(1, width);
  if (fraction === null) return '·'.repeat(cells);
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * cells);
  return '█'.repeat(full) + '░'.repeat(cells - full);
}

/** An age for people: "45s", "12m", "3h", "9d". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Cuts a text to `width` columns, marking the cut with '…'. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/** Pads or cuts a text to exactly `width` columns. */
export function cell(text: string, width: number): string {
  return fit(text, width).padEnd(width);
}
