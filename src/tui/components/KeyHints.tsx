// The line of keys at the bottom of a screen.
import { Text } from 'ink';
import { useTone } from '../theme.js';

/** Props of {@link KeyHints}: pairs of key and what it does. */
export interface KeyHintsProps {
  hints: readonly (readonly [string, string])[];
}

/** "Enter select · Esc back", wrapped on a narrow terminal. */
export function KeyHints({ hints }: KeyHintsProps) {
  const tone = useTone();
  return (
    <Text color={tone('dim')} wrap="wrap">
      {hints.map(([key, what]) => `${key} ${what}`).join(' · ')}
    </Text>
  );
}
