// Ink's useInput with the handler of the latest render: a key that arrives between a redraw
// and its effects (a fast typist, a paste, a script) still sees the state on screen.
import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

/** Like useInput; the handler may change on every render without missing keys. */
export function useKeys(
  handler: (input: string, key: Key) => void,
  options: { isActive?: boolean } = {},
): void {
  const latest = useRef(handler);
  latest.current = handler;
  const stable = useCallback((input: string, key: Key) => latest.current(input, key), []);
  useInput(stable, options);
}
