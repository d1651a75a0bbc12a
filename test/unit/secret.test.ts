import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, redact } from '../../src/config/secret.js';

describe('Secret', () => {
  const secret = new Secret(`p@ss:w/rd?#&$\`'" \\%; =end`);

  it('prints redacted through String, JSON and inspect', () => {
    expect(String(secret)).toBe('[redacted]');
    expect(secret.toString()).not.toContain('p@ss');
    expect(JSON.stringify({ password: secret })).toBe('{"password":"[redacted]"}');
    expect(inspect({ secret })).not.toContain('p@ss');
  });

  it('reveals the exact value only on purpose', () => {
    expect(secret.reveal()).toBe(`p@ss:w/rd?#&$\`'" \\%; =end`);
  });
});

describe('redact()', () => {
  it('masks every occurrence of every secret', () => {
    const a = new Secret('alpha');
    expect(redact('alpha and alpha, beta', [a, new Secret('beta'), undefined])).toBe(
      '[redacted] and [redacted], [redacted]',
    );
  });

  it('leaves text alone when there is no secret', () => {
    expect(redact('nothing here', [undefined, new Secret('')])).toBe('nothing here');
  });
});
