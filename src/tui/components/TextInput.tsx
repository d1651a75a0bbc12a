// A one-line text field: printable keys type, Backspace deletes, Enter submits, Esc cancels.
import { Text } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useRef } from 'react';

/** Props of {@link TextInput}. */
export interface TextInputProps {
  value: string;
  onChange: (value: string) => void;
  onSubmit?: (value: string) => void;
  onCancel?: () => void;
  /** Shown as '•' per character (a password). */
  isMasked?: boolean;
  isActive?: boolean;
}

/** The field; the caret is always at the end. */
export function TextInput(props: TextInputProps) {
  const { value, onChange, onSubmit, onCancel, isMasked = false, isActive = true } = props;
  // Keys can arrive faster than React redraws (a paste, a fast typist over SSH): each one
  // edits the latest text, not the text of the last render.
  const latest = useRef(value);
  latest.current = value;
  const change = (next: string) => {
    latest.current = next;
    onChange(next);
  };

  useKeys(
    (input, key) => {
      if (key.return) onSubmit?.(latest.current);
      else if (key.escape) onCancel?.();
      else if (key.backspace || key.delete) change(latest.current.slice(0, -1));
      else if (!key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow)
        change(applyTyped(latest.current, input));
    },
    { isActive },
  );
  const shown = isMasked ? '•'.repeat(value.length) : value;
  return (
    <Text>
      {shown}
      {isActive ? <Text inverse> </Text> : null}
    </Text>
  );
}

/** Applies a burst of typed characters: DEL and BS erase, other control characters are dropped. */
export function applyTyped(text: string, input: string): string {
  let out = text;
  for (const char of input) {
    if (char === '\x7f' || char === '\b') out = out.slice(0, -1);
    else if (char >= ' ') out += char;
  }
  return out;
}
