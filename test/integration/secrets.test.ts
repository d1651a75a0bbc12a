// Secrets stay secret: every process's command line is sampled through backups and restores
// of both engines, with the password from each supported source; outputs, errors and files
// never show a password, passphrase or age identity; loose password files are refused.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMyInstance, type MyInstance } from '../helpers/my-instance.js';
import * as my from '../helpers/mysql.js';
import { cli, dropDbs, tempDir, userErrorShape, type CliOptions } from '../helpers/pg-case.js';
import { query } from '../helpers/pg-cluster.js';
import { startPgInstance, type PgInstance } from '../helpers/pg-instance.js';
import { createDb, pgQuery, uniqueName } from '../helpers/pg.js';
import { sampleCommandLines } from '../helpers/proc-sampler.js';
import { watchTree, type SeenProcess } from '../helpers/process-tree.js';
import { jsonResult, type CliResult } from '../helpers/run-cli.js';

// Shell, option-file and URI characters, and a random part no other text can hold.
const password = `S3c"r'e;t $(x) \`y\` #=\\${randomBytes(6).toString('hex')}`;
const dirs: string[] = [];

async function newDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}

async function writePrivate(path: string, text: string, mode = 0o600): Promise<void> {
  await fs.writeFile(path, text, { mode });
  await fs.chmod(path, mode);
}

/** Every file under a directory, read as text. */
async function filesText(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await fs.readFile(join(entry.parentPath, entry.name), 'latin1'));
  }
  return parts.join('\n');
}

/** Runs CLI commands one after another while sampling /proc; returns results and programs. */
async function sampled(needles: string[], runs: (() => Promise<CliResult>)[]) {
  const sampler = sampleCommandLines(needles);
  const results: CliResult[] = [];
  let programs = new Set<string>();
  try {
    for (const run of runs) results.push(await run());
  } finally {
    const report = await sampler.stop();
    expect(report.leaks).toEqual([]);
    expect(report.passes).toBeGreaterThan(10);
    programs = report.programs;
  }
  return { results, programs };
}

function expectNoSecret(results: CliResult[], secrets: string[]): void {
  for (const result of results) {
    for (const secret of secrets) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
  }
}

/** What {@link roundTripCluster} runs and checks. */
interface ClusterTrip {
  /** Connection flags of the source and the target server. */
  source: string[];
  target: string[];
  /** Dump and restore tools that must have been seen running. */
  tools: string[];
  /** Rows of `sec_two.t` on the target after the restore. */
  restoredRows: () => Promise<string | undefined>;
  options: CliOptions;
  extra: string[];
}

/** Backs up a whole server and restores it elsewhere while sampling /proc for the password. */
async function roundTripCluster(trip: ClusterTrip): Promise<void> {
  const dir = await newDir();
  let set = '';
  const { results, programs } = await sampled(
    [password],
    [
      async () => {
        const args = ['backup', 'cluster', '--backup-dir', dir, '--json'];
        const r = await cli([...args, ...trip.source, ...trip.extra], trip.options);
        if (r.code === 0) set = String(jsonResult(r).set);
        return r;
      },
      () =>
        cli(
          [
            'restore',
            'cluster',
            set,
            '--clean-cluster',
            '--confirm',
            ...trip.target,
            ...trip.extra,
          ],
          trip.options,
        ),
    ],
  );
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  expect([...programs]).toEqual(expect.arrayContaining(trip.tools));
  expectNoSecret(results, [password]);
  expect(await filesText(dir)).not.toContain(password);
  expect(await trip.restoredRows()).toBe('100000');
}

describe('MariaDB passwords', () => {
  const account = `dbb_sec_${randomBytes(3).toString('hex')}`;
  const source = my.uniqueName('dbb_sec');
  const targets: string[] = [];
  const connection = ['--db-type', 'mariadb', '--socket', my.socketPath, '--user', account];

  beforeAll(async () => {
    await my.myQuery('CREATE USER ?@? IDENTIFIED BY ?', [account, 'localhost', password]);
    await my.myQuery('GRANT ALL PRIVILEGES ON *.* TO ?@?', [account, 'localhost']);
    await my.createDb(source);
    // Enough rows that the dump and client tools live long enough to be sampled.
    await my.myQuery(
      'CREATE TABLE t (id INT PRIMARY KEY, v CHAR(32)) SELECT seq AS id, MD5(seq) AS v ' +
        'FROM seq_1_to_200000',
      [],
      { database: source },
    );
  }, 60_000);

  afterAll(async () => {
    await my.dropDbs(source, ...targets);
    await my.dropUsers([account, 'localhost']);
  });

  async function roundTrip(options: CliOptions, extra: string[] = []) {
    const dir = await newDir();
    const target = my.uniqueName('dbb_sec_t');
    targets.push(target);
    let file = '';
    const { results, programs } = await sampled(
      [password],
      [
        async () => {
          const r = await cli(
            ['backup', 'single', source, '--backup-dir', dir, '--json', ...connection, ...extra],
            options,
          );
          if (r.code === 0) file = String(jsonResult(r).file);
          return r;
        },
        () =>
          cli(
            [
              ...['restore', 'single', file, '--target', target, '--create', '--confirm'],
              ...connection,
              ...extra,
            ],
            options,
          ),
      ],
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect([...programs]).toEqual(expect.arrayContaining(['mariadb-dump', 'mariadb']));
    expectNoSecret(results, [password]);
    expect(await filesText(dir)).not.toContain(password);
    const [row] = await my.myQuery(`SELECT COUNT(*) AS n FROM ${my.ident(target)}.t`);
    expect(Number(row?.n)).toBe(200000);
  }

  it('in MYSQL_PWD never reach a command line', async () => {
    await roundTrip({ env: { MYSQL_PWD: password } });
  }, 120_000);

  it('in ~/.my.cnf never reach a command line', async () => {
    const home = await newDir();
    const quoted = password.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    await writePrivate(join(home, '.my.cnf'), `[client]\npassword="${quoted}"\n`);
    await roundTrip({ home });
  }, 120_000);

  it('in a 0600 config file never reach a command line', async () => {
    const dir = await newDir();
    const config = join(dir, 'config.json');
    await writePrivate(config, JSON.stringify({ password }));
    await roundTrip({}, ['--config', config]);
  }, 120_000);

  it('in a ~/.my.cnf others can read are refused with 78 and a hint', async () => {
    const home = await newDir();
    await writePrivate(join(home, '.my.cnf'), `[client]\npassword=${account}x\n`, 0o644);
    const dir = await newDir();
    const result = await cli(['backup', 'single', source, '--backup-dir', dir, ...connection], {
      home,
    });
    expect(result.code).toBe(78);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/option file '.*\.my\.cnf' holds a password but has mode 644/);
    expect(shape.hint).toMatch(/chmod 600/);
    expect(result.stderr).not.toContain(`${account}x`);
  });

  it('that are wrong fail with 77 without being echoed', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const dir = await newDir();
    const result = await cli(['backup', 'single', source, '--backup-dir', dir, ...connection], {
      env: { MYSQL_PWD: wrong },
    });
    expect(result.code).toBe(77);
    expect(result.stderr).not.toContain(wrong);
  });

  it('reach the tools only through an option file that is gone after Ctrl+C', async () => {
    const dir = await newDir();
    let pid = 0;
    let watch: ReturnType<typeof watchTree> | undefined;
    const running = cli(['backup', 'single', source, '--backup-dir', dir, ...connection], {
      env: { MYSQL_PWD: password },
      onSpawn: (p) => {
        pid = p;
        watch = watchTree(p);
      },
    });
    // The dump itself, not the `mariadb-dump --version` probe before it.
    const isDump = (p: SeenProcess) =>
      p.name === 'mariadb-dump' && p.argv.some((a) => a.startsWith('--defaults-extra-file='));
    while (!(watch?.seen().some(isDump) ?? false)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    process.kill(pid, 'SIGINT');
    const result = await running;
    expect(result.code).toBe(130);
    const seen = (await watch?.stop()) ?? [];
    const files = seen
      .flatMap((p) => p.argv)
      .flatMap((a) => (a.startsWith('--defaults-extra-file=') ? [a.slice(22)] : []));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) await expect(fs.stat(file)).rejects.toThrow();
  }, 60_000);
});

describe('PostgreSQL cluster passwords', () => {
  let source: PgInstance;
  let target: PgInstance;
  const role = 'bkc_sec_admin';

  beforeAll(async () => {
    [source, target] = await Promise.all([startPgInstance(), startPgInstance()]);
    for (const instance of [source, target]) {
      await query(
        instance,
        'postgres',
        `CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${password.replace(/'/g, "''")}'`,
      );
    }
    for (const name of ['sec_one', 'sec_two']) {
      await query(source, 'postgres', `CREATE DATABASE ${name}`);
      await query(
        source,
        name,
        'CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 100000) g',
      );
    }
  }, 120_000);

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  const tcp = (instance: PgInstance) => [
    ...['--host', instance.host, '--port', String(instance.port), '--user', role],
  ];

  const clusterRoundTrip = (options: CliOptions, extra: string[] = []) =>
    roundTripCluster({
      source: tcp(source),
      target: tcp(target),
      tools: ['pg_dump', 'pg_dumpall', 'pg_restore'],
      restoredRows: async () =>
        (await query<{ n: string }>(target, 'sec_two', 'SELECT count(*)::text AS n FROM t'))[0]?.n,
      options,
      extra,
    });

  it('in PGPASSWORD never reach a command line', async () => {
    await clusterRoundTrip({ env: { PGPASSWORD: password } });
  }, 180_000);

  it('in a 0600 config file never reach a command line', async () => {
    const dir = await newDir();
    const config = join(dir, 'config.json');
    await writePrivate(config, JSON.stringify({ password }));
    await clusterRoundTrip({}, ['--config', config]);
  }, 180_000);

  it('in ~/.pgpass never reach a command line', async () => {
    const home = await newDir();
    const field = password.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    await writePrivate(join(home, '.pgpass'), `*:*:*:${role}:${field}\n`);
    await clusterRoundTrip({ home });
  }, 180_000);

  it('in a ~/.pgpass others can read are refused with 78 and a hint', async () => {
    const home = await newDir();
    const field = password.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    await writePrivate(join(home, '.pgpass'), `*:*:*:${role}:${field}\n`, 0o644);
    const dir = await newDir();
    const result = await cli(['backup', 'cluster', '--backup-dir', dir, ...tcp(source)], { home });
    expect(result.code).toBe(78);
    const shape = userErrorShape(result.stderr);
    expect(shape.error).toMatch(/password file '.*\.pgpass' holds a password but has mode 644/);
    expect(shape.hint).toMatch(/chmod 600/);
    expect(result.stderr).not.toContain(password);
  });
});

describe('MariaDB cluster passwords', () => {
  let source: MyInstance;
  let target: MyInstance;
  const user = 'bkc_sec_admin';

  beforeAll(async () => {
    [source, target] = await Promise.all([startMyInstance(), startMyInstance()]);
    for (const instance of [source, target]) {
      await instance.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
      await instance.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [user, '%']);
    }
    for (const name of ['sec_one', 'sec_two']) {
      await source.query(`CREATE DATABASE ${name}`);
      await source.query(
        'CREATE TABLE t AS SELECT seq AS id, md5(seq) AS v FROM seq_1_to_100000',
        [],
        name,
      );
    }
  }, 180_000);

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  const tcp = (instance: MyInstance) => [
    ...['--db-type', 'mariadb', '--host', '127.0.0.1', '--port', String(instance.port)],
    ...['--user', user],
  ];

  const clusterRoundTrip = (options: CliOptions, extra: string[] = []) =>
    roundTripCluster({
      source: tcp(source),
      target: tcp(target),
      tools: ['mariadb-dump', 'mariadb'],
      restoredRows: async () =>
        String((await target.query('SELECT count(*) AS n FROM sec_two.t'))[0]?.n),
      options,
      extra,
    });

  it('in MYSQL_PWD never reach a command line', async () => {
    await clusterRoundTrip({ env: { MYSQL_PWD: password } });
  }, 180_000);

  it('in a 0600 config file never reach a command line', async () => {
    const dir = await newDir();
    const config = join(dir, 'config.json');
    await writePrivate(config, JSON.stringify({ password }));
    await clusterRoundTrip({}, ['--config', config]);
  }, 180_000);
});

describe('encryption secrets', () => {
  const source = uniqueName('dbb_sec_enc');
  const targets: string[] = [];
  const passphrase = `pass "phrase" ${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    await createDb(source);
    await pgQuery(
      source,
      'CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 100000) g',
    );
  });

  afterAll(async () => dropDbs(source, ...targets));

  it('a passphrase shows in no command line, output, error or file', async () => {
    const dir = await newDir();
    const target = uniqueName('dbb_sec_enc_t');
    targets.push(target);
    const env = { DBBACKUP_PASSPHRASE: passphrase };
    let file = '';
    const { results } = await sampled(
      [passphrase],
      [
        async () => {
          const r = await cli(
            ['backup', 'single', source, '--backup-dir', dir, '--encrypt', '--json'],
            { env },
          );
          if (r.code === 0) file = String(jsonResult(r).file);
          return r;
        },
        () => cli(['verify', file, '--json'], { env }),
        () =>
          cli(['restore', 'single', file, '--target', target, '--create', '--confirm'], { env }),
      ],
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const wrong = await cli(['verify', file], { env: { DBBACKUP_PASSPHRASE: `${passphrase}x` } });
    expect(wrong.code).toBe(77);
    expectNoSecret([...results, wrong], [passphrase]);
    expect(await filesText(dir)).not.toContain(passphrase);
  }, 120_000);

  it('an age identity shows in no command line, output, error or file', async () => {
    const dir = await newDir();
    const keys = await newDir();
    const identity = join(keys, 'key.txt');
    const other = join(keys, 'other.txt');
    const made = await cli(['key', 'generate', '--output', identity, '--json']);
    expect(made.code, made.stderr).toBe(0);
    expect((await cli(['key', 'generate', '--output', other])).code).toBe(0);
    const recipient = String(jsonResult(made).recipient);
    const secretKeys = [identity, other].map(async (path) => {
      const text = await fs.readFile(path, 'utf8');
      return /AGE-SECRET-KEY-[0-9A-Z]+/.exec(text)?.[0] ?? 'missing';
    });
    const secrets = await Promise.all(secretKeys);
    expect(secrets).not.toContain('missing');

    const target = uniqueName('dbb_sec_enc_i');
    targets.push(target);
    let file = '';
    const { results } = await sampled(secrets, [
      async () => {
        const r = await cli([
          ...['backup', 'single', source, '--backup-dir', dir, '--json'],
          ...['--encrypt', '--recipient', recipient],
        ]);
        if (r.code === 0) file = String(jsonResult(r).file);
        return r;
      },
      () => cli(['verify', file, '--identity', identity, '--json']),
      () =>
        cli([
          ...['restore', 'single', file, '--identity', identity],
          ...['--target', target, '--create', '--confirm', '--json'],
        ]),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const wrong = await cli(['verify', file, '--identity', other]);
    expect(wrong.code).toBe(77);
    expectNoSecret([...results, wrong, made], secrets);
    expect(await filesText(dir)).not.toMatch(/AGE-SECRET-KEY-/);
  }, 120_000);
});
