// Sizes and colours: 60 columns and wide both render, a resize redraws without losing the
// screen's state, NO_COLOR drops every colour, and `interactive` refuses to run without a TTY.
import '../../helpers/force-color.js';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import {
  appWith,
  effectsWith,
  keys,
  renderTerm,
  resultCommand,
  testEnv,
  waitForFrame,
  type Term,
} from '../../helpers/tui.js';

let term: Term | undefined;
afterEach(() => term?.unmount());

const esc = String.fromCharCode(27);
const stripAnsi = (text: string) => text.replace(new RegExp(`${esc}\\[[0-9;]*m`, 'g'), '');
const hasColor = (text: string) => new RegExp(`${esc}\\[(3\\d|9\\d)m`).test(text);

const catalog = resultCommand('catalog list', () => ({
  backups: ['alpha', 'bravo', 'charlie'].map((database, i) => ({
    id: `${database}.pgdump.zst`,
    kind: 'single',
    file: `${database}.pgdump.zst`,
    engine: 'postgres',
    database,
    host: 'db1:5432',
    status: 'complete',
    startedAt: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
    storedBytes: 1024 * (i + 1),
    checksum: 'f'.repeat(64),
    encrypted: false,
    error: null,
    verification: { checksum: true },
  })),
}));

function widest(frame: string): number {
  return Math.max(
    ...stripAnsi(frame)
      .split('\n')
      .map((line) => Array.from(line).length),
  );
}

describe('terminal sizes', () => {
  it.each([60, 80, 160])('renders the menu within %i columns', async (columns) => {
    term = renderTerm(appWith(effectsWith([])), columns, 24);
    const frame = await waitForFrame(term.lastFrame, 'PostgreSQL');
    expect(stripAnsi(frame)).toContain('Back up one database');
    expect(stripAnsi(frame)).toContain('Quit');
    expect(widest(frame)).toBeLessThanOrEqual(columns);
  });

  it('redraws on resize and keeps the selection and the open details', async () => {
    term = renderTerm(appWith(effectsWith([catalog])), 120, 40);
    await waitForFrame(term.lastFrame, 'PostgreSQL');
    term.write('6');
    await waitForFrame(term.lastFrame, '› alpha');
    term.write(keys.down);
    await waitForFrame(term.lastFrame, '› bravo');
    term.write('i');
    await waitForFrame(term.lastFrame, 'file        bravo.pgdump.zst');

    term.resize(60, 30);
    const narrow = await waitForFrame(term.lastFrame, (f: string) => widest(f) <= 60);
    expect(stripAnsi(narrow)).toContain('› bravo');
    expect(stripAnsi(narrow)).toContain('bravo.pgdump.zst');

    term.resize(150, 40);
    const wide = await waitForFrame(term.lastFrame, (f: string) => widest(f) > 100);
    expect(stripAnsi(wide)).toContain('› bravo');
    expect(stripAnsi(wide)).toContain('file        bravo.pgdump.zst');
  });
});

describe('colours', () => {
  it('uses colours by default and none at all with NO_COLOR', async () => {
    term = renderTerm(appWith(effectsWith([])), 100, 24);
    expect(hasColor(await waitForFrame(term.lastFrame, 'PostgreSQL'))).toBe(true);
    term.unmount();

    term = renderTerm(appWith(effectsWith([], testEnv({ NO_COLOR: '1' }))), 100, 24);
    const plain = await waitForFrame(term.lastFrame, 'PostgreSQL');
    expect(hasColor(plain)).toBe(false);
    expect(plain).toContain('› 1. Back up one database');
  });
});

describe('dbbackup interactive without a terminal', () => {
  it('refuses to start with one error line and a hint, exit 64', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const stdin = Object.assign(new PassThrough(), { isTTY: false });
    const code = await run({
      argv: ['ui'],
      env: testEnv().env,
      stdout,
      stderr,
      terminal: {
        stdin: stdin as unknown as NodeJS.ReadStream,
        stdout: Object.assign(new PassThrough(), { isTTY: true }) as unknown as NodeJS.WriteStream,
      },
    });
    expect(code).toBe(64);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: interactive needs a terminal/);
    expect(lines[1]).toMatch(/^hint: /);
  });
});
