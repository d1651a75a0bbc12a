import { endsWithTrailer } from '../../src/engines/mysql/structure.js';
import { describe, expect, it } from 'vitest';
import {
  DumpScanner,
  readQuotedName,
  type HeadRewrite,
} from '../../src/engines/mysql/dump-scanner.js';
import { cut, randomCuts, sampleDump, sampleRows } from '../helpers/mysql-dump-text.js';

function scan(parts: Buffer[], rewrite?: HeadRewrite) {
  const scanner = new DumpScanner(rewrite);
  const out: Buffer[] = [];
  for (const part of parts) out.push(...scanner.push(part));
  const { rest, result } = scanner.finish();
  out.push(...rest);
  return { output: Buffer.concat(out), result };
}

const dump = Buffer.from(sampleDump);

describe('DumpScanner', () => {
  it('counts the rows of every table and sees the trailer', () => {
    const { result } = scan([dump]);
    expect(Object.fromEntries(result.rows)).toEqual(sampleRows);
    expect(result.complete).toBe(true);
  });

  it('ignores INSERT and CREATE TABLE lines inside trigger and routine bodies', () => {
    const { result } = scan([dump]);
    expect(result.rows.has('not_a_table')).toBe(false);
    expect(result.rows.get('plain')).toBe(3);
  });

  it('passes every byte unchanged and counts the same whatever the chunk boundaries', () => {
    for (let size = 1; size <= 23; size += 1) {
      const points = Array.from({ length: Math.ceil(dump.length / size) }, (_v, i) => i * size);
      const { output, result } = scan(cut(dump, points));
      expect(output.equals(dump)).toBe(true);
      expect(Object.fromEntries(result.rows)).toEqual(sampleRows);
      expect(result.complete).toBe(true);
    }
    for (let seed = 1; seed <= 200; seed += 1) {
      const { output, result } = scan(cut(dump, randomCuts(dump.length, 12, seed)));
      expect(output.equals(dump)).toBe(true);
      expect(Object.fromEntries(result.rows)).toEqual(sampleRows);
    }
  });

  it('counts rows whose long hex and text values hide parentheses, quotes and semicolons', () => {
    const hex = '0x' + '4142'.repeat(500);
    const long = 'x'.repeat(300);
    const text = [
      'CREATE TABLE `blobs` (',
      '  `id` int NOT NULL',
      ');',
      `INSERT INTO \`blobs\` VALUES (1,${hex},'${long} ( ; \\' )'),(2,${hex}),` +
        `(3,'${long}(',${hex}),(4,0x28293B,'${long})');`,
      '-- Dump completed on 2026-01-01  0:00:00',
      '',
    ].join('\n');
    const bytes = Buffer.from(text);
    for (let seed = 1; seed <= 20; seed += 1) {
      const { output, result } = scan(cut(bytes, randomCuts(bytes.length, 8, seed)));
      expect(output.equals(bytes)).toBe(true);
      expect(result.rows.get('blobs')).toBe(4);
      expect(result.complete).toBe(true);
    }
  });

  it('reports a dump cut anywhere before its trailer as incomplete', () => {
    const trailer = dump.indexOf('-- Dump completed');
    for (const at of [10, 200, dump.indexOf('(2,') + 5, trailer - 1]) {
      expect(scan([dump.subarray(0, at)]).result.complete).toBe(false);
    }
  });

  it('holds lines longer than the head limit without losing bytes', () => {
    const long = `INSERT INTO \`one line\` VALUES ('${'x'.repeat(10_000)}'),('y');\n`;
    const text = Buffer.from(`CREATE TABLE \`one line\` (x text);\n${long}-- Dump completed\n`);
    const { output, result } = scan(cut(text, randomCuts(text.length, 30, 7)), () => undefined);
    expect(output.equals(text)).toBe(true);
    expect(result.rows.get('one line')).toBe(2);
  });

  it('hands each head its context and replaces the bytes it returns', () => {
    const seen: string[] = [];
    const rewrite: HeadRewrite = (head, context) => {
      const line = head.toString().split('\n')[0] ?? '';
      if (line.startsWith('RETURN') || line.startsWith('/*!50003 CREATE*/')) {
        seen.push(`${context.inBlock}/${context.atStatementStart}: ${line.slice(0, 17)}`);
      }
      return line.startsWith('-- MariaDB') ? Buffer.from('-- replaced\n') : undefined;
    };
    const { output } = scan(cut(dump, randomCuts(dump.length, 40, 3)), rewrite);
    expect(output.toString()).toBe(sampleDump.replace(/-- MariaDB dump[^\n]*\n/, '-- replaced\n'));
    expect(seen).toEqual(['true/true: /*!50003 CREATE*/', 'true/false: RETURN 42 ;;']);
  });
});

describe('readQuotedName()', () => {
  it.each([
    ['`plain`', 'plain', 7],
    ['`a``b` x', 'a`b', 6],
    ['`Données`', 'Données', 10],
  ])('reads %s', (text, name, end) => {
    expect(readQuotedName(Buffer.from(text), 0)).toEqual({ name, end });
  });

  it('gives undefined for a name that does not close', () => {
    expect(readQuotedName(Buffer.from('`open'), 0)).toBeUndefined();
  });
});

describe('endsWithTrailer()', () => {
  const b = (text: string) => Buffer.from(text);
  it('finds the completion line as the last non-blank line', () => {
    expect(
      endsWithTrailer(b('INSERT ...;\n-- Dump completed on 2026-12-04 10:00:00\n'), true),
    ).toBe(true);
    expect(endsWithTrailer(b('x;\r\n-- Dump completed on 2026\r\n\r\n  \n'), false)).toBe(true);
    expect(endsWithTrailer(b('-- Dump completed on 2026\n'), true)).toBe(true);
  });

  it('refuses a dump cut before it, or a line that began before the bytes read', () => {
    expect(
      endsWithTrailer(b('-- Dump completed on 2026\nINSERT INTO `t` VALUES (1);\n'), true),
    ).toBe(false);
    expect(endsWithTrailer(b(''), true)).toBe(false);
    expect(endsWithTrailer(b('-- Dump completed on 2026\n'), false)).toBe(false);
  });
});
