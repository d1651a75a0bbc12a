// The MySQL-proper paths that MariaDB tests cannot reach: version parsing, tool fit, flags.
import { spawn as nodeSpawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/manifest/manifest.js';
import type { Spawn } from '../../src/process/run-tool.js';
import { restoreChecks } from '../../src/engines/mysql/restore-checks.js';
import { clientArgs, dumpArgs, mysqlOnlyArgs } from '../../src/engines/mysql/tool-args.js';
import {
  candidates,
  fitTool,
  parseServerVersion,
  parseToolVersion,
  pickTool,
} from '../../src/engines/mysql/tools.js';
import type { MysqlTarget } from '../../src/engines/mysql/target.js';

const versionLines = {
  mariadb10: 'mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)',
  mariadb11: 'mariadb-dump from 11.4.2-MariaDB, client 10.19 for Linux (x86_64)',
  mysql57: 'mysqldump  Ver 10.13 Distrib 5.7.44, for Linux (x86_64)',
  mysql80: 'mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)',
  mysql84: 'mysql  Ver 8.4.0 for Linux on x86_64 (MySQL Community Server - GPL)',
  percona: "mysqldump  Ver 8.0.35-27 for Linux on x86_64 (Percona Server (GPL), Release '27')",
};

const socketTarget: MysqlTarget = {
  endpoint: { kind: 'socket', path: '/run/mysqld/mysqld.sock' },
  user: 'backup',
  password: undefined,
};

describe('parseToolVersion()', () => {
  it.each([
    ['mariadb10', 'mariadb', '10.11.19'],
    ['mariadb11', 'mariadb', '11.4.2'],
    ['mysql57', 'mysql', '5.7.44'],
    ['mysql80', 'mysql', '8.0.36'],
    ['mysql84', 'mysql', '8.4.0'],
    ['percona', 'mysql', '8.0.35'],
  ] as const)('reads the %s --version line', (key, flavour, version) => {
    expect(parseToolVersion(versionLines[key])).toEqual({ flavour, version });
  });

  it('gives null for output without a version', () => {
    expect(parseToolVersion('command not found')).toBeNull();
  });
});

describe('parseServerVersion()', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', 'mariadb', '10.11.19'],
    ['11.4.2-MariaDB-log', 'mariadb', '11.4.2'],
    ['8.0.36', 'mysql', '8.0.36'],
    ['8.0.35-27', 'mysql', '8.0.35'],
    ['5.7.44-log', 'mysql', '5.7.44'],
  ] as const)('splits VERSION() %s', (text, flavour, version) => {
    expect(parseServerVersion(text)).toEqual({ flavour, version });
  });
});

describe('fitTool()', () => {
  const mysql8 = { flavour: 'mysql', version: '8.0.36' } as const;
  const maria = { flavour: 'mariadb', version: '10.11.19' } as const;

  it('says that MariaDB’s mysqldump cannot serve a MySQL server', () => {
    const tool = fitTool('mysqldump', parseToolVersion(versionLines.mariadb10), mysql8);
    expect(tool.fits).toBe(false);
    expect(tool.note).toBe("mysqldump is MariaDB's build 10.11.19 and cannot serve MySQL 8.0.36");
  });

  it('says that MySQL’s mysqldump cannot serve a MariaDB server', () => {
    const tool = fitTool('mysqldump', parseToolVersion(versionLines.mysql80), maria);
    expect(tool.fits).toBe(false);
    expect(tool.note).toBe("mysqldump is MySQL's build 8.0.36 and cannot serve MariaDB 10.11.19");
  });

  it('refuses a client older than the server and takes a newer one', () => {
    const old = fitTool('mysqldump', parseToolVersion(versionLines.mysql57), mysql8);
    expect(old.note).toBe('mysqldump 5.7.44 is older than the server (MySQL 8.0.36)');
    const newer = fitTool('mysqldump', parseToolVersion(versionLines.mysql84), mysql8);
    expect(newer.fits).toBe(true);
  });

  it('names a missing tool', () => {
    expect(fitTool('mysqldump', null, mysql8).note).toBe('not found on PATH');
  });
});

describe('pickTool()', () => {
  /** A spawn that prints a given --version line per tool, and fails for the rest. */
  function printing(lines: Record<string, string>): Spawn {
    return (command, _args, options) => {
      const line = lines[command];
      if (line === undefined) return nodeSpawn('false', [], options);
      return nodeSpawn('printf', ['%s\\n', line], options);
    };
  }

  it('tries only MySQL’s names for a MySQL server and explains the MariaDB symlink', async () => {
    expect(candidates('mysql', 'dump')).toEqual(['mysqldump']);
    // Debian's mysqldump is a symlink to mariadb-dump.
    const spawn = printing({ mysqldump: versionLines.mariadb10 });
    const server = { flavour: 'mysql', version: '8.0.36' } as const;
    const tool = await pickTool(spawn, {}, server, 'dump');
    expect(tool).toMatchObject({ name: 'mysqldump', fits: false, version: '10.11.19' });
    expect(tool.note).toMatch(/MariaDB's build .* cannot serve MySQL 8\.0\.36/);
  });

  it('prefers mariadb-dump for MariaDB and falls back to mysqldump', async () => {
    const server = { flavour: 'mariadb', version: '10.11.19' } as const;
    const both = printing({
      'mariadb-dump': versionLines.mariadb10,
      mysqldump: versionLines.mariadb10,
    });
    expect((await pickTool(both, {}, server, 'dump')).name).toBe('mariadb-dump');
    const onlyOld = printing({ mysqldump: versionLines.mariadb10 });
    expect(await pickTool(onlyOld, {}, server, 'dump')).toMatchObject({
      name: 'mysqldump',
      fits: true,
    });
  });
});

describe('dumpArgs()', () => {
  const base = { target: socketTarget, database: 'Sales Q1', serverVersion: '8.0.36' };

  it('gives MySQL 8 mysqldump --set-gtid-purged=OFF and --add-drop-trigger', () => {
    const args = dumpArgs({ ...base, flavour: 'mysql', toolVersion: '8.0.36' });
    expect(args).toContain('--set-gtid-purged=OFF');
    expect(args).toContain('--add-drop-trigger');
    expect(args).not.toContain('--column-statistics=0');
    expect(args.slice(-2)).toEqual(['--', 'Sales Q1']);
  });

  it('gives mariadb-dump no GTID flag, which it does not know', () => {
    const args = dumpArgs({ ...base, flavour: 'mariadb', toolVersion: '10.11.19' });
    expect(args.some((a) => a.startsWith('--set-gtid-purged'))).toBe(false);
    expect(args.some((a) => a.startsWith('--column-statistics'))).toBe(false);
    expect(args).toContain('--add-drop-trigger');
  });

  it.each([
    ['8.0.36', '5.7.44', ['--set-gtid-purged=OFF', '--add-drop-trigger', '--column-statistics=0']],
    ['8.0.36', '8.0.36', ['--set-gtid-purged=OFF', '--add-drop-trigger']],
    ['5.7.44', '5.7.44', ['--set-gtid-purged=OFF']],
  ])('mysqldump %s against server %s gets %j', (tool, server, expected) => {
    expect(mysqlOnlyArgs(tool, server)).toEqual(expected);
  });

  it('always dumps every object kind in one snapshot, as hex, in utf8mb4', () => {
    for (const flavour of ['mysql', 'mariadb'] as const) {
      const args = dumpArgs({ ...base, flavour, toolVersion: '8.0.36' });
      expect(args).toEqual(
        expect.arrayContaining([
          '--single-transaction',
          '--quick',
          '--routines',
          '--events',
          '--triggers',
          '--hex-blob',
          '--default-character-set=utf8mb4',
        ]),
      );
      expect(args).not.toContain('--databases');
    }
  });

  it('puts the option file first, as the tools require, and no password anywhere', () => {
    const optionFile = '--defaults-extra-file=/tmp/dbbackup-my-x/client.cnf';
    const args = dumpArgs({ ...base, flavour: 'mysql', toolVersion: '8.0.36', optionFile });
    expect(args[0]).toBe(optionFile);
    expect(args.some((a) => /^(-p|--password)/.test(a))).toBe(false);
    const client = clientArgs({ optionFile, target: socketTarget, database: 'Sales Q1' });
    expect(client[0]).toBe(optionFile);
    expect(client).toEqual(
      expect.arrayContaining(['--binary-mode', '--default-character-set=utf8mb4']),
    );
    expect(client).toContain('--database=Sales Q1');
    expect(client).not.toContain('--force');
  });
});

describe('restoreChecks()', () => {
  it('refuses MySQL’s client for a MariaDB dump, whose sandbox line it cannot read', () => {
    const manifest = {
      server: { flavour: 'mariadb', version: '10.11.19', host: 'h' },
      tool: { name: 'mariadb-dump', version: '10.11.19' },
      requires: { roles: [], extensions: [] },
    } as unknown as Manifest;
    const client = {
      ...fitTool('mysql', parseToolVersion(versionLines.mysql84), {
        flavour: 'mysql',
        version: '8.4.0',
      }),
    };
    const checks = restoreChecks({
      manifest,
      client,
      policy: 'rewrite',
      noOwner: false,
      rewrite: new Set(),
      existing: new Set(),
      currentUser: 'root@localhost',
    });
    const tools = checks.find((c) => c.name === 'client tools');
    expect(tools?.ok).toBe(false);
    expect(tools?.detail).toMatch(/made by MariaDB's mariadb-dump; mysql is not MariaDB's/);
  });
});

describe('definer checks', () => {
  const manifest = {
    server: { flavour: 'mariadb', version: '10.11.19', host: 'h' },
    tool: { name: 'mariadb-dump', version: '10.11.19' },
    requires: { roles: ['app@%', 'root@localhost'], extensions: [] },
  } as unknown as Manifest;
  const client = fitTool('mariadb', parseToolVersion(versionLines.mariadb10), {
    flavour: 'mariadb',
    version: '10.11.19',
  });
  const base = {
    manifest,
    client,
    noOwner: false,
    existing: new Set(['root@localhost']),
    currentUser: 'root@localhost',
  };
  const definers = (checks: ReturnType<typeof restoreChecks>) =>
    checks.find((c) => c.name === 'definers');

  it('passes with a warning naming the accounts it rewrites', () => {
    const check = definers(
      restoreChecks({ ...base, policy: 'rewrite', rewrite: new Set(['app@%']) }),
    );
    expect(check?.ok).toBe(true);
    expect(check?.warning).toBe(
      "DEFINER account(s) 'app@%' do not exist on the target: their views, routines, " +
        'triggers and events are restored with DEFINER root@localhost',
    );
  });

  it('fails with exit 66 under keep, listing the missing accounts', () => {
    const check = definers(restoreChecks({ ...base, policy: 'keep', rewrite: new Set() }));
    expect(check?.ok).toBe(false);
    expect(check?.detail).toBe("target server lacks DEFINER account(s) 'app@%'");
    expect((check?.error as { code?: number } | undefined)?.code).toBe(66);
  });

  it('passes without a warning when every account exists', () => {
    const existing = new Set(['app@%', 'root@localhost']);
    const check = definers(
      restoreChecks({ ...base, existing, policy: 'keep', rewrite: new Set() }),
    );
    expect(check).toMatchObject({ ok: true, detail: '2 DEFINER account(s) exist' });
    expect(check?.warning).toBeUndefined();
  });
});

describe('definer checks without access to mysql.user', () => {
  it('warns under keep that missing definers would fail when used', () => {
    const manifest = {
      server: { flavour: 'mariadb', version: '10.11.19', host: 'h' },
      tool: { name: 'mariadb-dump', version: '10.11.19' },
      requires: { roles: ['app@%'], extensions: [] },
    } as unknown as Manifest;
    const client = fitTool('mariadb', parseToolVersion(versionLines.mariadb10), {
      flavour: 'mariadb',
      version: '10.11.19',
    });
    const checks = restoreChecks({
      manifest,
      client,
      policy: 'keep',
      noOwner: false,
      rewrite: new Set(),
      existing: undefined,
      currentUser: 'backup@localhost',
    });
    const check = checks.find((c) => c.name === 'definers');
    expect(check?.ok).toBe(true);
    expect(check?.warning).toMatch(/fail when used \(ERROR 1449\)/);
  });
});
