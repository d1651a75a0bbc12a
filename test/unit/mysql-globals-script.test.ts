// The MySQL globals script: markers, reading back, grant targets and the defaults clause.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultsClause } from '../../src/engines/mysql/globals.js';
import {
  GlobalsScriptWriter,
  grantObject,
  readGlobalsScript,
} from '../../src/engines/mysql/globals-script.js';

function linesOf(text: string): AsyncIterable<string> {
  return Readable.from(text.split('\n'));
}

async function readAll(text: string) {
  const out = [];
  for await (const statement of readGlobalsScript(linesOf(text))) out.push(statement);
  return out;
}

describe('readGlobalsScript()', () => {
  it('reads back every statement with its marker, whatever the account name holds', async () => {
    const writer = new GlobalsScriptWriter();
    const odd = 'a\n-- dbbackup:0000000000000000 {}\n;\'`"@é';
    const script = [
      writer.header({ host: 'h' }),
      '-- a plain comment\n',
      writer.statement({ step: 'session' }, "SET SESSION sql_mode = ''"),
      writer.statement({ step: 'account', account: odd }, `CREATE USER \`${odd}\`@\`%\``),
      writer.statement({ step: 'object-grant', account: 'r', database: 'd' }, 'GRANT X ON d.t'),
      writer.end(),
    ].join('');
    expect(await readAll(script)).toEqual([
      { step: 'session', sql: "SET SESSION sql_mode = ''" },
      { step: 'account', account: odd, sql: `CREATE USER \`${odd}\`@\`%\`` },
      { step: 'object-grant', account: 'r', database: 'd', sql: 'GRANT X ON d.t' },
      { step: 'end', sql: '' },
    ]);
    const cut = script.slice(0, script.lastIndexOf('-- dbbackup:'));
    await expect(readAll(cut)).rejects.toThrow(/ends before its closing marker/);
  });

  it('refuses a script without its header', async () => {
    await expect(readAll('CREATE USER x;\n')).rejects.toThrow(/does not start with its header/);
    await expect(readAll('')).rejects.toThrow(/does not start with its header/);
  });
});

describe('grantObject()', () => {
  const cases: [string, { database: string } | undefined][] = [
    ['GRANT USAGE ON *.* TO `a`@`%`', undefined],
    ['GRANT SELECT ON `d`.* TO `a`@`%`', undefined],
    ['GRANT `r` TO `a`@`%` WITH ADMIN OPTION', undefined],
    ['GRANT PROXY ON ``@`%` TO `root`@`localhost` WITH GRANT OPTION', undefined],
    ['GRANT SELECT (`id`), INSERT ON `d`.`t` TO `a`@`%`', { database: 'd' }],
    ['GRANT SELECT (` ON x`) ON `we``ird db`.`t` TO `a`@`%`', { database: 'we`ird db' }],
    ['GRANT EXECUTE ON PROCEDURE `d`.`p` TO `a`@`%`', { database: 'd' }],
    ['GRANT EXECUTE ON FUNCTION `Données`.`f` TO `r`', { database: 'Données' }],
    ['GRANT SELECT ON `ops-data`.`t` TO PUBLIC', { database: 'ops-data' }],
    ['SET DEFAULT ROLE `r` FOR `a`@`%`', undefined],
  ];
  it.each(cases)('classifies %s', (line, expected) => {
    expect(grantObject(line)).toEqual(expected);
  });
});

describe('defaultsClause()', () => {
  it('names every default the definition leaves out, the empty password included', () => {
    expect(defaultsClause('`a`@`%`')).toMatch(/^ IDENTIFIED VIA mysql_native_password USING '' /);
    expect(defaultsClause("`a`@`%` IDENTIFIED BY PASSWORD '*AB'")).toBe(
      ' REQUIRE NONE WITH MAX_QUERIES_PER_HOUR 0 MAX_UPDATES_PER_HOUR 0 ' +
        'MAX_CONNECTIONS_PER_HOUR 0 MAX_USER_CONNECTIONS 0 MAX_STATEMENT_TIME 0 ' +
        'ACCOUNT UNLOCK PASSWORD EXPIRE DEFAULT',
    );
  });

  it('leaves out what the definition sets, and ignores keywords inside names', () => {
    const spec =
      "`x REQUIRE ACCOUNT LOCK`@`%` IDENTIFIED VIA pam USING ' WITH MAX_USER_CONNECTIONS 1 ' " +
      'REQUIRE SSL WITH MAX_QUERIES_PER_HOUR 100 MAX_USER_CONNECTIONS 3 ' +
      'PASSWORD EXPIRE INTERVAL 30 DAY ACCOUNT LOCK';
    expect(defaultsClause(spec)).toBe(
      ' WITH MAX_UPDATES_PER_HOUR 0 MAX_CONNECTIONS_PER_HOUR 0 MAX_STATEMENT_TIME 0',
    );
  });
});
