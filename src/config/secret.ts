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

/**
 * Replaces every occurrence of the given secrets in a text with a mask: as they are, and as
 * messages quote them (JSON- or inspect-escaped, percent-encoded as in a URL).
 */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret?.reveal();
    if (value === undefined || value === '') continue;
    const forms = new Set([
      value,
      JSON.stringify(value).slice(1, -1),
      inspect(value).slice(1, -1),
      encodeURIComponent(value),
    ]);
    // Longest first, so a form that contains another is masked whole.
    for (const form of [...forms].sort((a, b) => b.length - a.length)) {
      if (form !== '') out = out.split(form).join('[redacted]');
    }
  }
  return out;
}
