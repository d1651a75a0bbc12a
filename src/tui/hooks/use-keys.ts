// Ink's useInput with the handler and activity of the latest render: a key that arrives
// between a redraw and its effects (a fast typist, a paste, a script) still sees the state on
// screen. Ink subscribes in an effect, so switching `isActive` there could drop such a key;
// here the subscription stays and the flag is read when the key comes.
import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

/** Like useInput; the handler and `isActive` may change on every render without missing keys. */
export function useKeys(
  handler: (input: string, key: Key) => void,
  { isActive = true }: { isActive?: boolean } = {},
): void {
  const latest = useRef({ handler, isActive });
  latest.current = { handler, isActive };
  const stable = useCallback((input: string, key: Key) => {
    if (latest.current.isActive) latest.current.handler(input, key);
  }, []);
  useInput(stable);
}
