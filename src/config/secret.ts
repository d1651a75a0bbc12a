// A secret string that prints redacted everywhere unless revealed on purpose.
import { inspect } from 'node:util';

/** Holds a password or passphrase; `String(secret)` and JSON show only a mask. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** Returns the real value: call only where it is handed to a child's env or an option file. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

/** Replaces every occurrence of the given secrets in a text with a mask. */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret?.reveal();
    if (value !== undefined && value !== '') out = out.split(value).join('[redacted]');
  }
  return out;
}
