// The age-encryption package, loaded on first use: importing it takes longer (80 ms here) than
// the rest of a backup's start-up, and most runs never encrypt or decrypt anything.

/** The package's exports. */
export type AgeLib = typeof import('age-encryption');

let loading: Promise<AgeLib> | undefined;

/** Loads the package once. */
export function loadAge(): Promise<AgeLib> {
  loading ??= import('age-encryption');
  return loading;
}
