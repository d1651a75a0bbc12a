// Test certificates: a CA made for one test server, and a server certificate it signed.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Makes, in `dir`, a CA and a certificate for 127.0.0.1 and localhost signed by it (P-256
 * keys, valid two days); returns the three files a server and its clients need.
 */
export async function makeCertificates(
  dir: string,
): Promise<{ ca: string; cert: string; key: string }> {
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    ...['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt')],
    ...['-days', '2', '-subj', '/CN=dbbackup test CA'],
  ]);
  await run('openssl', [
    ...['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr')],
    ...['-subj', '/CN=127.0.0.1'],
  ]);
  await fs.writeFile(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    ...['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt')],
    ...['-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt')],
    ...['-days', '2', '-extfile', file('san.ext')],
  ]);
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}
