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

describe('redact() of quoted forms', () => {
  it('masks a secret as JSON, inspect and a URL quote it', () => {
    const secret = new Secret('Top\u0000Sec"ret w@rd');
    const text = [
      'raw Top\u0000Sec"ret w@rd',
      `json ${JSON.stringify('Top\u0000Sec"ret w@rd')}`,
      "inspect 'Top\\x00Sec\"ret w@rd'",
      `url ${encodeURIComponent('Top\u0000Sec"ret w@rd')}`,
    ].join('\n');
    const out = redact(text, [secret]);
    expect(out).not.toMatch(/Sec.{0,3}ret/);
    expect(out.match(/\[redacted\]/g)).toHaveLength(4);
  });
});
