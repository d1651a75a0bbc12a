// age encryption stages: round trips, interoperability with Debian's age, tampering and wrong keys.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { createHeader } from '../../src/encryption/age-header.js';
import {
  encryptionInfoOf,
  type DecryptionKeys,
  type EncryptTo,
} from '../../src/encryption/keys.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { createDecryptStage, createEncryptStage } from '../../src/pipeline/encrypt.js';
import { BackupUnlocker } from '../../src/jobs/unlock-backup.js';
import { testdir } from '../helpers/testdir.js';

async function newIdentity() {
  const secret = await generateX25519Identity();
  return { secret, recipient: await identityToRecipient(secret) };
}

async function encrypt(plain: Buffer, to: EncryptTo): Promise<Buffer> {
  const stage = createEncryptStage(await createHeader(to));
  return collect(Readable.from(chunked(plain)), stage.stream);
}

function unlockerFor(to: EncryptTo, keys: DecryptionKeys): BackupUnlocker {
  return new BackupUnlocker({ name: 'b.pgdump.zst.age', info: encryptionInfoOf(to), keys });
}

async function decrypt(sealed: Buffer, unlocker: BackupUnlocker): Promise<Buffer> {
  const stage = createDecryptStage(unlocker.unlock);
  return collect(Readable.from(chunked(sealed)), stage.stream);
}

/** Splits into uneven chunks, so chunk boundaries of the stream never line up with age's. */
function* chunked(data: Buffer): Generator<Buffer> {
  for (let at = 0, size = 1000; at < data.length; at += size, size = ((size * 7) % 100_003) + 1) {
    yield data.subarray(at, at + size);
  }
}

async function collect(source: Readable, stage: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _e, done) => {
      out.push(chunk);
      done();
    },
  });
  await pipeline(source, stage, sink);
  return Buffer.concat(out);
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

function ageTool(args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('age', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += String(c)));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(err)),
    );
    child.stdin.end(input);
  });
}

// Sizes around the 64 KiB chunk: empty, one byte, exactly one and two chunks, and more.
const sizes = [0, 1, 65_536, 131_072, 300_001];

describe('age encryption stages', () => {
  it.each(sizes)('round-trips %i bytes to X25519 recipients', async (size) => {
    const [a, b] = [await newIdentity(), await newIdentity()];
    const plain = randomBytes(size);
    const to: EncryptTo = { kind: 'recipients', recipients: [a.recipient, b.recipient] };
    const sealed = await encrypt(plain, to);
    expect(sealed.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');

    const keysOf = (id: typeof a): DecryptionKeys => ({
      identities: [{ secret: new Secret(id.secret), recipient: id.recipient, source: 'k' }],
      passphrases: [],
    });
    expect((await decrypt(sealed, unlockerFor(to, keysOf(a)))).equals(plain)).toBe(true);
    expect((await decrypt(sealed, unlockerFor(to, keysOf(b)))).equals(plain)).toBe(true);
  });

  it('round-trips with a passphrase', { timeout: 60_000 }, async () => {
    const plain = randomBytes(200_000);
    const to: EncryptTo = { kind: 'passphrase', passphrase: new Secret('correct horse battery') };
    const sealed = await encrypt(plain, to);
    expect(sealed.toString('latin1', 0, 200)).toMatch(/-> scrypt /);
    const keys = { identities: [], passphrases: [new Secret('correct horse battery')] };
    expect((await decrypt(sealed, unlockerFor(to, keys))).equals(plain)).toBe(true);
  });

  it('writes files that Debian age decrypts, and reads files that age wrote', async () => {
    const id = await newIdentity();
    const dir = await testdir({ 'key.txt': `${id.secret}\n` });
    const plain = randomBytes(150_000);
    const to: EncryptTo = { kind: 'recipients', recipients: [id.recipient] };
    expect(await ageTool(['-d', '-i', join(dir, 'key.txt')], await encrypt(plain, to))).toEqual(
      plain,
    );

    const fromAge = await ageTool(['-r', id.recipient], plain);
    const keys = {
      identities: [{ secret: new Secret(id.secret), recipient: id.recipient, source: 'key.txt' }],
      passphrases: [],
    };
    expect((await decrypt(fromAge, unlockerFor(to, keys))).equals(plain)).toBe(true);
    await fs.rm(dir, { recursive: true });
  });

  describe('a damaged file fails with 65 and yields no unauthenticated byte', () => {
    const setup = async () => {
      const id = await newIdentity();
      const to: EncryptTo = { kind: 'recipients', recipients: [id.recipient] };
      const sealed = await encrypt(randomBytes(200_000), to);
      const keys = {
        identities: [{ secret: new Secret(id.secret), recipient: id.recipient, source: 'k' }],
        passphrases: [],
      };
      return { sealed, unlocker: unlockerFor(to, keys) };
    };

    it.each([
      ['the start (header)', (n: number) => 30 + 0 * n],
      ['the middle', (n: number) => Math.floor(n / 2)],
      ['the end', (n: number) => n - 1],
    ])('a flipped byte at %s', async (_where, offset) => {
      const { sealed, unlocker } = await setup();
      const bad = Buffer.from(sealed);
      const at = offset(bad.length);
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      const error = await failure(decrypt(bad, unlocker));
      expect(error.code).toBe(ExitCode.data);
    });

    it.each([
      ['at a chunk boundary', 65_536 + 16],
      ['inside a chunk', 100_000],
      ['inside the header', 40],
    ])('a file truncated %s', async (_where, cut) => {
      const { sealed, unlocker } = await setup();
      const headerEnd = sealed.indexOf('\n--- ') + 60;
      const error = await failure(
        decrypt(sealed.subarray(0, cut < 100 ? cut : headerEnd + cut), unlocker),
      );
      expect(error.code).toBe(ExitCode.data);
    });
  });

  it('names the recipient it needs when the identity is wrong (77)', async () => {
    const [owner, stranger] = [await newIdentity(), await newIdentity()];
    const to: EncryptTo = { kind: 'recipients', recipients: [owner.recipient] };
    const sealed = await encrypt(randomBytes(1000), to);
    const keys = {
      identities: [
        { secret: new Secret(stranger.secret), recipient: stranger.recipient, source: 'other.txt' },
      ],
      passphrases: [],
    };
    const error = await failure(decrypt(sealed, unlockerFor(to, keys)));
    expect(error.code).toBe(ExitCode.noPermission);
    expect(error.message).toContain(owner.recipient);
    expect(error.message).toContain("identity 'other.txt'");
    expect(error.message).not.toContain(stranger.secret);
    expect(error.hint).toMatch(/--identity/);
  });

  it('leaves no secret in the manifest record', async () => {
    const id = await newIdentity();
    const info = encryptionInfoOf({ kind: 'recipients', recipients: [id.recipient] });
    expect(info).toEqual({
      format: 'age',
      recipients: [
        {
          type: 'x25519',
          recipient: id.recipient,
          fingerprint: createHash('sha256').update(id.recipient).digest('hex').slice(0, 16),
        },
      ],
      passphrase: false,
    });
    const pass = encryptionInfoOf({ kind: 'passphrase', passphrase: new Secret('hunter2') });
    expect(JSON.stringify(pass)).not.toContain('hunter2');
  });
});
