// The terminal's size, redrawn on every resize; state elsewhere is untouched by it.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** Columns and rows of the terminal (80×24 when the stream does not say). */
export interface TerminalSize {
  columns: number;
  rows: number;
}

/** The current size; changes on the stream's `resize` event. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState<TerminalSize>(read);

  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
