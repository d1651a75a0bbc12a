// Colours, or none: NO_COLOR (https://no-color.org) turns every colour off.
import { createContext, useContext } from 'react';

/** What the components may use to draw. */
export interface Theme {
  isColored: boolean;
}

/** The theme of an environment: no colours when NO_COLOR is set to anything non-empty. */
export function themeFor(env: NodeJS.ProcessEnv): Theme {
  return { isColored: env.NO_COLOR === undefined || env.NO_COLOR === '' };
}

/** The current theme. */
export const ThemeContext = createContext<Theme>({ isColored: true });

/** Colour names the screens use, by meaning. */
export type Tone = 'accent' | 'good' | 'bad' | 'warn' | 'dim';

const colors: Record<Tone, string> = {
  accent: 'cyan',
  good: 'green',
  bad: 'red',
  warn: 'yellow',
  dim: 'gray',
};

/** The colour of a tone, or undefined without colours (the text stays plain). */
export function useTone(): (tone: Tone) => string | undefined {
  const { isColored } = useContext(ThemeContext);
  return (tone) => (isColored ? colors[tone] : undefined);
}
