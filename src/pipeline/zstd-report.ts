// Reads the byte counts zstd prints when it is verbose enough (-vv) at the end of its work.

/** Bytes zstd read and wrote. */
export interface ZstdCounts {
  input: number;
  output: number;
}

// The line of one input: `NAME : 29.71%   (1385998336 B => 411763498 B, /*stdout*\)` (zstd 1.5
// at -vv; `(4096 => 1217 bytes,` in 1.3 and 1.4). A line of totals has no comma after the
// second count and is not matched.
const perInput = /\(\s*(\d+)\s*(?:B|bytes)?\s*=>\s*(\d+)\s*(?:B|bytes)\s*,/g;

/**
 * The counts of a zstd run on one input. Undefined unless there is exactly one such line: a
 * rounded figure (`1.29 GiB`) or a missing line is never guessed at.
 */
export function parseZstdCounts(stderr: string): ZstdCounts | undefined {
  const lines = [...stderr.replaceAll('\r', '\n').matchAll(perInput)];
  const [read, written] = lines.length === 1 ? (lines[0]?.slice(1) ?? []) : [];
  if (read === undefined || written === undefined) return undefined;
  return { input: Number(read), output: Number(written) };
}
