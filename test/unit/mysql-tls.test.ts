import { describe, expect, it } from 'vitest';
import { tlsSettings } from '../../src/engines/mysql/tls.js';
import { UserError } from '../../src/errors.js';

const of = (entries: Record<string, string>) => tlsSettings(new Map(Object.entries(entries)));

describe('tlsSettings()', () => {
  it('is off without TLS options, with skip-ssl, ssl=0 or ssl-mode=DISABLED', () => {
    expect(of({})).toBeUndefined();
    expect(of({ 'skip-ssl': '', 'ssl-ca': '/ca' })).toBeUndefined();
    expect(of({ ssl: '0' })).toBeUndefined();
    expect(of({ ssl: 'OFF' })).toBeUndefined();
    expect(of({ 'ssl-mode': 'disabled' })).toBeUndefined();
  });

  it("reads MariaDB's options: ssl and certificate files prefer TLS, verifying requires it", () => {
    expect(of({ ssl: '' })).toEqual({ mode: 'preferred', verify: 'none' });
    expect(of({ ssl_ca: '/ca.pem' })).toEqual({ mode: 'preferred', verify: 'none', ca: '/ca.pem' });
    expect(of({ 'ssl-ca': '/ca', 'ssl-verify-server-cert': '' })).toMatchObject({
      mode: 'required',
      verify: 'identity',
    });
    expect(of({ 'ssl-verify-server-cert': '1' })).toMatchObject({ mode: 'required' });
    expect(of({ 'ssl-cert': '/c', 'ssl-key': '/k' })).toMatchObject({ cert: '/c', key: '/k' });
  });

  it("reads MySQL's ssl-mode", () => {
    expect(of({ 'ssl-mode': 'PREFERRED' })).toMatchObject({ mode: 'preferred', verify: 'none' });
    expect(of({ 'ssl-mode': 'REQUIRED' })).toMatchObject({ mode: 'required', verify: 'none' });
    expect(of({ 'ssl-mode': 'VERIFY_CA', 'ssl-ca': '/ca' })).toMatchObject({ verify: 'ca' });
    expect(of({ ssl_mode: 'verify_identity' })).toMatchObject({ verify: 'identity' });
    expect(() => of({ 'ssl-mode': 'SOMETIMES' })).toThrow(UserError);
  });
});
